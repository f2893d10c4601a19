"""Browser views of document control. Each fetches through a permission-checked selector, validates one form, calls
one service, and answers; refusals from the services come back as form errors or a 403 (see qms.web)."""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.forms import Form
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from documents import forms, selectors, services
from documents.api import revision_file_response
from documents.compare import side_by_side, summary
from documents.controlled_copy import ApprovalLine, ControlledCopyError, ControlledCopyStamp, build_controlled_copy
from documents.models import ChangeRequest, Document, DocumentType, Revision
from documents.search import RANKED_AT_MOST, search_counted
from qms.models import Clause, Department, User
from qms.pagination import EstimatedCountPaginator, OpenEndedPage
from qms.permissions import AuthenticatedRequest, role_required
from qms.roles import Role
from qms.uploads import content_disposition
from qms.views import render_history
from qms.web import EchoBuffer, client_ip, csv_safe, people_options, run_service, select_options, versioned

PAGE_SIZE = 50
TRAINING_PAGE_SIZE = 20  # documents per page of the training matrix, each with its table of readers
SORTS = {"number": "number", "title": "title", "review": "next_review_due", "status": "status"}


def _register_filters(request: AuthenticatedRequest) -> tuple[Any, dict[str, str], int | None]:
    """The register's documents after the search, filters and sort in the query string, and for a search on
    PostgreSQL its matches counted up to RANKED_AT_MOST + 1."""
    params = {
        key: request.GET.get(key, "").strip()
        for key in ("q", "type", "status", "department", "clause", "owner", "review", "sort", "to_read")
    }
    documents = selectors.documents_for_register(request.user)
    if params["type"]:
        documents = documents.filter(document_type__code=params["type"])
    if params["status"] in Document.Status.values:
        documents = documents.filter(status=params["status"])
    if params["department"].isdigit():
        documents = documents.filter(department_id=int(params["department"]))
    if params["owner"].isdigit():
        documents = documents.filter(owner_id=int(params["owner"]))
    if params["clause"]:
        documents = documents.filter(clauses__number=params["clause"])
    today = timezone.localdate()
    if params["review"] == "overdue":
        documents = documents.filter(status=Document.Status.EFFECTIVE, next_review_due__lt=today)
    elif params["review"] == "soon":
        documents = documents.filter(
            status=Document.Status.EFFECTIVE,
            next_review_due__gte=today,
            next_review_due__lte=today + timedelta(days=30),
        )
    if params["to_read"]:
        pending = selectors.acknowledgements_pending_for(request.user).values("document_id")
        documents = documents.filter(pk__in=pending)
    counted = None
    if params["q"]:
        documents, counted = search_counted(documents, params["q"])
    if params["sort"] in SORTS or not params["q"]:
        documents = documents.order_by(SORTS.get(params["sort"], "number"), "number")
    return documents, params, counted


@role_required()
def index(request: AuthenticatedRequest) -> HttpResponse:
    """The document register: search, filter, sort, and export what is shown as CSV."""
    documents, params, counted = _register_filters(request)
    bound = RANKED_AT_MOST if params["q"] else None  # a search's matches are counted no further than it ranks
    paginator = EstimatedCountPaginator(documents, PAGE_SIZE, count_at_most=bound, counted=counted)
    page = paginator.get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    context = {
        "page": page,
        "params": params,
        "querystring": query_without_page.urlencode(),
        "type_options": select_options(
            ((code, f"{code} — {name}") for code, name in DocumentType.objects.values_list("code", "name")),
            params["type"],
        ),
        "department_options": select_options(
            Department.objects.filter(is_active=True).values_list("pk", "name"), params["department"]
        ),
        "clause_options": select_options(
            (
                (number, f"{number} {Truncator(title).chars(40)}")
                for number, title in Clause.objects.values_list("number", "title")
            ),
            params["clause"],
        ),
        # One index probe per person, not a join over every document.
        "owner_options": people_options(
            User.objects.filter(Exists(Document.objects.filter(owner=OuterRef("pk")))), params["owner"]
        ),
        "status_options": select_options(Document.Status.choices, params["status"]),
        "can_create": request.user.has_role(Role.QUALITY_MANAGER),
        "filtered": any(params[key] for key in params if key != "sort"),
    }
    template = "documents/partials/register_results.html" if request.htmx else "documents/document_list.html"
    return render(request, template, context)


@role_required()
def export_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The master list as CSV, with the register's current filters. Streamed, so a long list costs no memory."""
    documents, _, _ = _register_filters(request)
    writer = csv.writer(EchoBuffer())
    header = [
        "number",
        "title",
        "type",
        "status",
        "revision",
        "effective_date",
        "owner",
        "department",
        "clauses",
        "next_review_due",
        "restricted",
    ]

    def rows() -> Any:
        yield writer.writerow(header)
        for document in documents.iterator(chunk_size=500):
            effective = selectors.effective_revision(document)
            yield writer.writerow(
                [
                    document.number,
                    csv_safe(document.title),
                    document.document_type.code,
                    document.status,
                    effective.revision if effective else "",
                    effective.effective_date if effective else "",
                    csv_safe(document.owner.display_name),
                    csv_safe(str(document.department or "")),
                    " ".join(clause.number for clause in document.clauses.all()),
                    document.next_review_due or "",
                    "yes" if document.restricted else "no",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"document-master-list-{timezone.localdate()}.csv")
    return response


@role_required(Role.QUALITY_MANAGER)
def create(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = run_service(
            form,
            lambda: services.document_create(
                actor=request.user,
                document_type=data["document_type"],
                title=data["title"],
                owner=data["owner"],
                department=data["department"],
                clauses=data["clauses"],
                distribution_departments=data["distribution_departments"],
                distribution_roles=data["distribution_roles"],
                restricted=data["restricted"],
                review_period_months=data["review_period_months"],
            ),
        )
        if document is not None:
            messages.success(request, f"Registered {document.number}. Upload its first revision.")
            return redirect("documents:upload", document.pk)
    return render(request, "documents/document_form.html", {"form": form})


@role_required()
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    if not document.is_managed_by(request.user):
        raise PermissionDenied("Only the document's owner or a quality manager may edit it.")
    form = versioned(forms.DocumentForm(request.POST or None, instance=document), document)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            name: data[name] for name in ("title", "owner", "department", "restricted") if name in form.changed_data
        }
        if "review_period_months" in form.changed_data and data["review_period_months"]:
            fields["review_period_months"] = data["review_period_months"]
        saved = run_service(
            form,
            lambda: services.document_update(
                actor=request.user,
                document=document,
                reason=data["reason"],
                clauses=data["clauses"],
                distribution_departments=data["distribution_departments"],
                distribution_roles=data["distribution_roles"],
                **fields,
            ),
        )
        if saved is not None:
            messages.success(request, f"Saved {document.number}.")
            return redirect(document)
    return render(request, "documents/document_form.html", {"form": form, "document": document})


@role_required()
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    # Read once: the page lists the distributions, and the readers are worked out from them.
    prefetch_related_objects([document], "distribution_departments", "distribution_roles")
    revisions = list(selectors.revisions_for_document(document, request.user))
    effective = next((r for r in revisions if r.status == Revision.Status.EFFECTIVE), None)
    in_progress = next((r for r in revisions if r.status in Revision.IN_PROGRESS), None)
    acknowledged = effective is not None and effective.acknowledgements.filter(user=request.user).exists()
    manager = document.is_managed_by(request.user)
    sees_readers = manager or request.user.has_role(Role.QUALITY_MANAGER, Role.AUDITOR)
    readers = selectors.acknowledgement_status(document, effective) if sees_readers else None
    if effective is None:
        must_read = False
    elif readers is not None:  # the list of readers is at hand: no second search for them
        must_read = any(reader.user.pk == request.user.pk for reader in readers)
    else:
        must_read = request.user in selectors.distribution_users(document)
    context = {
        "document": document,
        "revisions": revisions,
        "effective": effective,
        "in_progress": in_progress,
        "acknowledged": acknowledged,
        "must_read": must_read,
        "manager": manager,
        "readers": readers,
        "readers_done": sum(1 for reader in readers or [] if reader.acknowledged_at),
        "change_requests": document.change_requests.select_related("requested_by", "decided_by", "revision"),
        "change_request_form": forms.ChangeRequestForm(),
        "review_form": forms.SignatureForm(prefix="review"),
        "retire_form": forms.RejectForm(prefix="retire"),
        "clauses": document.clauses.all(),
        "distribution_departments": document.distribution_departments.all(),
        "distribution_roles": document.distribution_roles.all(),
        "today": timezone.localdate(),
    }
    return render(request, "documents/document_detail.html", context)


@role_required()
def upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    if not document.is_managed_by(request.user):
        raise PermissionDenied("Only the document's owner or a quality manager may add a revision.")
    form = forms.RevisionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        revision = run_service(
            form,
            lambda: services.revision_create(
                actor=request.user,
                document=document,
                file=form.cleaned_data["file"],
                change_summary=form.cleaned_data["change_summary"],
            ),
        )
        if revision is not None:
            messages.success(request, f"Uploaded {revision.label} as a draft. Submit it for approval when ready.")
            return redirect(revision)
    status = 400 if form.errors else 200
    return render(request, "documents/revision_upload.html", {"form": form, "document": document}, status=status)


@role_required()
def revision_detail(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    revision = selectors.get_revision_for_user(request.user, pk, number)
    return _revision_page(request, revision)


def _revision_page(
    request: AuthenticatedRequest, revision: Revision, *, bound: Form | None = None, status: int = 200
) -> HttpResponse:
    """The revision page; after a refused action, `bound` is that action's form with the person's input and errors."""
    forms_by_prefix = {
        "submit": forms.SubmitForm(author=revision.author, prefix="submit"),
        "approve": forms.ApproveForm(prefix="approve"),
        "reject": forms.RejectForm(prefix="reject"),
        "withdraw": forms.ReasonForm(prefix="withdraw"),
        "replace": forms.ReplaceFileForm(prefix="replace"),
    }
    if bound is not None and bound.prefix:
        forms_by_prefix[bound.prefix] = bound
    context = {
        "document": revision.document,
        "revision": revision,
        "approvals": list(revision.approvals.select_related("approver", "signature").order_by("-round", "id")),
        "can_edit": revision.can_edit(request.user),
        "can_decide": revision.can_decide(request.user),
        "open_action": bound.prefix if bound is not None else None,
        **{f"{prefix}_form": form for prefix, form in forms_by_prefix.items()},
        "previous": Revision.objects.visible_to(request.user)
        .filter(document=revision.document, revision__lt=revision.revision)
        .order_by("-revision")
        .first(),
    }
    return render(request, "documents/revision_detail.html", context, status=status)


def _revision_action(
    request: AuthenticatedRequest, pk: int, number: int, form_class: Any, call: Any, success: str, **form_kwargs: Any
) -> HttpResponse:
    """The shape every workflow button shares: POST a form, call the service, back to the revision page. When refused,
    the page is shown again with the form as filled in (the password excepted) and the reason next to the field.
    Each form on the page has a prefix (its action's name), so their fields never share an id."""
    revision = selectors.get_revision_for_user(request.user, pk, number)
    form = form_class(request.POST, request.FILES or None, **form_kwargs)
    if form.is_valid() and run_service(form, lambda: call(revision, form.cleaned_data)) is not None:
        messages.success(request, success)
        return redirect("documents:revision", pk, number)
    revision.refresh_from_db()
    return _revision_page(request, revision, bound=form, status=400)


@require_POST
@role_required()
def submit(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    revision = selectors.get_revision_for_user(request.user, pk, number)
    return _revision_action(
        request,
        pk,
        number,
        forms.SubmitForm,
        lambda rev, data: services.revision_submit(
            actor=request.user, revision=rev, approvers=data["approvers"], effective_date=data["effective_date"]
        ),
        "Submitted for approval. The approvers have been notified.",
        author=revision.author,
        prefix="submit",
    )


@require_POST
@role_required()
def approve(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    return _revision_action(
        request,
        pk,
        number,
        forms.ApproveForm,
        lambda rev, data: services.revision_approve(
            actor=request.user,
            revision=rev,
            password=data["password"],
            comment=data["comment"],
            effective_date=data["effective_date"],
            ip=client_ip(request),
        ),
        "Approved and signed.",
        prefix="approve",
    )


@require_POST
@role_required()
def reject(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    return _revision_action(
        request,
        pk,
        number,
        forms.RejectForm,
        lambda rev, data: services.revision_reject(
            actor=request.user, revision=rev, password=data["password"], comment=data["comment"], ip=client_ip(request)
        ),
        "Rejected and signed. The author has been told why.",
        prefix="reject",
    )


@require_POST
@role_required()
def withdraw(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    return _revision_action(
        request,
        pk,
        number,
        forms.ReasonForm,
        lambda rev, data: services.revision_withdraw(actor=request.user, revision=rev, reason=data["reason"]),
        "The draft was withdrawn.",
        prefix="withdraw",
    )


@require_POST
@role_required()
def replace_file(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    return _revision_action(
        request,
        pk,
        number,
        forms.ReplaceFileForm,
        lambda rev, data: services.revision_replace_file(actor=request.user, revision=rev, file=data["file"]),
        "The draft's file was replaced.",
        prefix="replace",
    )


@role_required()
def download(request: AuthenticatedRequest, pk: int, number: int) -> FileResponse:
    revision = selectors.get_revision_for_user(request.user, pk, number)
    return revision_file_response(revision)


@role_required()
def controlled_copy(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    """An effective PDF revision stamped as a controlled copy, with a signature page of its approvals."""
    revision = selectors.get_revision_for_user(request.user, pk, number)
    if revision.status != Revision.Status.EFFECTIVE or revision.content_type != "application/pdf":
        messages.error(request, "Controlled copies are made of the effective revision of PDF documents.")
        return redirect(revision.document)
    with revision.file.open("rb") as handle:
        original = handle.read()
    try:
        pdf = build_controlled_copy(original, _controlled_copy_stamp(revision, issued_to=request.user))
    except ControlledCopyError as refusal:
        messages.error(request, refusal.message)
        return redirect(revision.document)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"{revision.document.number}-rev{revision.revision}-controlled-copy.pdf"
    )
    return response


def _controlled_copy_stamp(revision: Revision, *, issued_to: User) -> ControlledCopyStamp:
    approvals = revision.approvals.filter(decision="approved", signature__isnull=False).select_related("signature")
    return ControlledCopyStamp(
        number=revision.document.number,
        title=revision.document.title,
        revision=revision.revision,
        status=revision.get_status_display(),
        effective_date=revision.effective_date,
        approvals=[
            ApprovalLine(
                signer_name=approval.signature.signer_name,
                meaning=approval.signature.get_meaning_display(),
                signed_at=approval.signature.signed_at,
                comment=approval.signature.comment,
                content_sha256=approval.signature.content_sha256,
            )
            for approval in approvals
            if approval.signature is not None
        ],
        file_sha256=revision.sha256,
        issued_to=issued_to.display_name,
        issued_at=timezone.now(),
    )


@role_required()
def compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Side-by-side text of two revisions (from ?old=N&new=M; by default the previous and the latest)."""
    document = selectors.get_document_for_user(request.user, pk)
    revisions = list(Revision.objects.visible_to(request.user).filter(document=document).order_by("revision"))
    by_number = {revision.revision: revision for revision in revisions}

    def pick(name: str, default: Revision | None) -> Revision | None:
        value = request.GET.get(name, "")
        return by_number.get(int(value)) if value.isdigit() else default

    new = pick("new", revisions[-1] if revisions else None)
    old = pick("old", revisions[-2] if len(revisions) > 1 else None)
    rows = side_by_side(old.extracted_text, new.extracted_text, context=3) if old and new else []
    context = {
        "document": document,
        "revisions": revisions,
        "old": old,
        "new": new,
        "rows": rows,
        "summary": summary(rows) if rows else None,
        "comparable": bool(old and new and old.extracted_text and new.extracted_text),
    }
    return render(request, "documents/compare.html", context)


@require_POST
@role_required()
def acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    form = Form(request.POST)
    if run_service(form, lambda: services.document_acknowledge(actor=request.user, document=document)) is not None:
        messages.success(request, f"Recorded: you have read and understood {document.number}.")
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect(document)


def _signed_document_action(
    request: AuthenticatedRequest, pk: int, *, form: forms.SignatureForm, service: Any, success: Any
) -> HttpResponse:
    """A signed action on the document page (review, retirement): the password signs, the refusal is shown."""
    document = selectors.get_document_for_user(request.user, pk)
    if form.is_valid():
        done = run_service(
            form,
            lambda: service(
                actor=request.user,
                document=document,
                password=form.cleaned_data["password"],
                comment=form.cleaned_data["comment"],
                ip=client_ip(request),
            ),
        )
        if done is not None:
            messages.success(request, success(document, done))
            return redirect(document)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(document)


@require_POST
@role_required()
def confirm_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _signed_document_action(
        request,
        pk,
        form=forms.SignatureForm(request.POST, prefix="review"),
        service=services.document_confirm_review,
        success=lambda document, review: (
            f"Review confirmed and signed. Next review due {review.next_review_due:%Y-%m-%d}."
        ),
    )


@require_POST
@role_required(Role.QUALITY_MANAGER)
def retire(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _signed_document_action(
        request,
        pk,
        form=forms.RejectForm(request.POST, prefix="retire"),
        service=services.document_retire,
        success=lambda document, _: f"{document.number} is retired; its last revision is obsolete.",
    )


@require_POST
@role_required()
def request_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    form = forms.ChangeRequestForm(request.POST)
    if (
        form.is_valid()
        and run_service(
            form,
            lambda: services.change_request_create(
                actor=request.user, document=document, reason=form.cleaned_data["reason"]
            ),
        )
        is not None
    ):
        messages.success(request, "Your change request was sent to the document's owner.")
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(document)


@require_POST
@role_required()
def decide_change(request: AuthenticatedRequest, pk: int, request_pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    change_request = get_object_or_404(ChangeRequest, pk=request_pk, document=document)
    form = forms.ReasonForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if accept:
        form.fields["reason"].required = False
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        done = run_service(
            form,
            lambda: (
                services.change_request_accept(actor=request.user, change_request=change_request, comment=reason)
                if accept
                else services.change_request_decline(actor=request.user, change_request=change_request, reason=reason)
            ),
        )
        if done is not None:
            messages.success(
                request, "Change request accepted: a draft revision is open." if accept else "Change request declined."
            )
            return redirect(document)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(document)


@role_required()
def history(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for_user(request.user, pk)
    return render_history(
        request,
        *selectors.document_history_records(document, request.user),
        title=f"History of {document}",
        back_url=document.get_absolute_url(),
    )


@role_required(Role.QUALITY_MANAGER, Role.AUDITOR)
def training_matrix(request: AuthenticatedRequest) -> HttpResponse:
    """Per document and person: who read which revision, and who still has to. A page of documents at a time, in a
    fixed number of queries (selectors.acknowledgement_statuses), not counted: counting every document with readers
    cost more than the page."""
    department = request.GET.get("department", "")
    department_id = int(department) if department.isdigit() else None
    documents = selectors.distributed_documents(
        selectors.documents_for_list(request.user), department_id=department_id
    ).order_by("number")
    page = OpenEndedPage(documents, request.GET.get("page"), TRAINING_PAGE_SIZE)
    pairs = [(document, selectors.effective_revision(document)) for document in page.object_list]
    statuses = selectors.acknowledgement_statuses([(d, r) for d, r in pairs if r is not None])
    rows = []
    for document, effective in pairs:
        readers = statuses.get(document.pk, [])
        if department_id is not None:
            readers = [reader for reader in readers if reader.user.department_id == department_id]
        if readers:
            done = sum(1 for reader in readers if reader.acknowledged_at)
            rows.append({"document": document, "revision": effective, "readers": readers, "done": done})
    context = {
        "rows": rows,
        "page": page,
        "departments": Department.objects.filter(is_active=True),
        "department": department,
    }
    return render(request, "documents/training_matrix.html", context)


@role_required(Role.QUALITY_MANAGER)
def document_types(request: AuthenticatedRequest) -> HttpResponse:
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = get_object_or_404(DocumentType, pk=int(request.GET["edit"]))
    form = forms.DocumentTypeForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        reason = "Type changed" if editing else "Type created"
        saved = run_service(
            form, lambda: services.document_type_save(actor=request.user, document_type=form.instance, reason=reason)
        )
        if saved is not None:
            messages.success(request, f"Saved the document type {saved.code}.")
            return redirect("documents:types")
    return render(
        request,
        "documents/document_types.html",
        {"types": DocumentType.objects.all(), "form": form, "editing": editing},
    )
