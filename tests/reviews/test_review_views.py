"""Browser pages of management review: who may open what, the register and its empty state, starting a review (field
errors, never a 500), the review page with its inputs and the forms of each step (no JavaScript needed), the
signature, the report job, the history, and the number of queries of the register and the review page."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from capa import services as capa_services
from capa.models import Capa
from qms.models import User
from qms.reviews import services
from qms.reviews.models import Decision, ManagementReview, ReviewAction
from tests.conftest import PASSWORD
from tests.reviews.conftest import decide, hold, in_days, start

pytestmark = pytest.mark.django_db

# The register's queries whatever the number of reviews (pinned at 1 and 6 rows), and the review page's whatever the
# number of decisions and actions (pinned at 1 and 4 decisions).
REGISTER_QUERIES = 7
DETAIL_QUERIES = 13


def _page(client, user, url, status=200):
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _post(client, user, url, data, status=302):
    client.force_login(User.objects.get(pk=user.pk))
    response = client.post(url, data)
    assert response.status_code == status, (url, response.status_code, response.content.decode()[:3000])
    return response


# --- Who may open what ----------------------------------------------------------------------------------------------

QM, AUD, EMP, EXT, NONE, CHAIR, MEMBER = (
    "quality_manager",
    "auditor",
    "employee",
    "external_auditor",
    "outsider",
    "chair",
    "member",
)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/management-reviews/", {QM, AUD, EMP, EXT, CHAIR, MEMBER}),
        ("/management-reviews/new/", {QM}),
        ("/management-reviews/{preparing}/", {QM, AUD, CHAIR, MEMBER}),
        ("/management-reviews/{preparing}/history/", {QM, AUD, CHAIR, MEMBER}),
        ("/management-reviews/{signed}/", {QM, AUD, CHAIR, MEMBER, EXT}),
        ("/management-reviews/{signed}/history/", {QM, AUD, CHAIR, MEMBER, EXT}),
    ],
)
def test_who_may_open_each_review_page(client, personas, chair, member, quality_manager, path, allowed):
    preparing = start(quality_manager, chair, member)
    signed = hold(start(quality_manager, chair, member), quality_manager, member)
    decide(signed, quality_manager, member)
    services.review_sign(actor=chair, review=signed, password=PASSWORD)
    url = path.format(preparing=preparing.pk, signed=signed.pk)
    people = {**personas, CHAIR: chair, MEMBER: member}
    for role, user in people.items():
        client.force_login(user)
        status = client.get(url).status_code
        assert (status == 200) == (role in allowed), (role, url, status)
        if role not in allowed:
            # Without any role, or asking for a page only quality managers have: refused. Otherwise: not found.
            assert status == (403 if role == NONE or url.endswith("/new/") else 404), (role, url, status)


def test_the_owner_of_an_action_sees_the_review_it_comes_from(client, held, employee, quality_manager):
    _page(client, employee, held.get_absolute_url(), status=404)
    decision = held.decisions.get()
    services.action_add(
        actor=quality_manager, decision=decision, description="Check the scales", owner=employee, due_date=in_days(9)
    )
    assert "Check the scales" in _page(client, employee, held.get_absolute_url())


def test_the_menu_offers_management_review_to_those_who_read_reviews(client, personas):
    for role, user in personas.items():
        if role == NONE:
            continue
        page = _page(client, user, "/")
        assert ('href="/management-reviews/"' in page) == (role in {QM, AUD, EXT}), role


# --- The register ---------------------------------------------------------------------------------------------------


def test_an_empty_register_explains_what_a_review_is(client, quality_manager, employee):
    page = _page(client, quality_manager, "/management-reviews/")
    assert "No management review yet." in page and "ISO 9001 clause 9.3" in page
    assert 'href="/management-reviews/new/"' in page
    page = _page(client, employee, "/management-reviews/")
    assert "Reviews you chair or attend" in page and "/management-reviews/new/" not in page


def test_the_register_lists_reviews_with_their_state_and_filters_by_it(client, review, signed_review, quality_manager):
    page = _page(client, quality_manager, "/management-reviews/")
    assert review.reference in page and signed_review.reference in page
    page = _page(client, quality_manager, "/management-reviews/?status=signed")
    assert signed_review.reference in page and f">{review.reference}<" not in page


@pytest.fixture
def signed_review(quality_manager, chair, member):
    review = hold(start(quality_manager, chair, member), quality_manager, member)
    decide(review, quality_manager, member)
    return services.review_sign(actor=chair, review=review, password=PASSWORD)


@pytest.mark.parametrize("rows", [1, 6])
def test_the_register_asks_the_same_number_of_queries_whatever_its_length(
    client, django_assert_num_queries, quality_manager, chair, member, rows
):
    for _ in range(rows):
        decide(hold(start(quality_manager, chair, member), quality_manager, member), quality_manager, member)
    client.force_login(User.objects.get(pk=quality_manager.pk))
    with django_assert_num_queries(REGISTER_QUERIES):
        page = client.get("/management-reviews/").content.decode()
    assert page.count('<td class="nowrap"><a href="/management-reviews/') == rows


# --- Starting a review ----------------------------------------------------------------------------------------------


def test_a_quality_manager_starts_a_review_from_the_form(client, quality_manager, chair, member):
    page = _page(client, quality_manager, "/management-reviews/new/")
    assert "Start a management review" in page and 'name="period_start"' in page
    response = _post(
        client,
        quality_manager,
        "/management-reviews/new/",
        {
            "title": "Management review 2026",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "planned_on": in_days(10).isoformat(),
            "chair": chair.pk,
            "attendees": [member.pk],
        },
    )
    review = ManagementReview.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert review.chair == chair and set(review.attendees.all()) == {chair, member}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"period_end": "2025-12-31"}, "period_end", "The period must end on or after its start."),
        ({"planned_on": "2020-01-01"}, "planned_on", "The planned on cannot be in the past."),
        ({"chair": ""}, "chair", "This field is required."),
        ({"period_start": "not a date"}, "period_start", "Enter a valid date."),
    ],
)
def test_bad_input_comes_back_next_to_its_field(client, quality_manager, chair, change, field, message):
    data = {
        "title": "Review",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "planned_on": in_days(10).isoformat(),
        "chair": chair.pk,
        **change,
    }
    response = _post(client, quality_manager, "/management-reviews/new/", data, status=400)
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and message in page
    assert not ManagementReview.objects.exists()


# --- The review page ------------------------------------------------------------------------------------------------


def test_the_review_page_shows_each_input_with_links_to_its_records(client, quality_manager, chair, employee):
    entry = capa_services.nonconformity_report(actor=employee, title="Leak", description="Valve 3 leaks")
    review = start(quality_manager, chair)
    page = _page(client, quality_manager, review.get_absolute_url())
    assert '<ol class="stepper" aria-label="Progress of the review">' in page
    assert 'aria-current="step"' in page
    for clause in ("9.3.2 a)", "9.3.2 b)", "9.3.2 c) 1)", "9.3.2 c) 6)", "9.3.2 f)"):
        assert clause in page
    assert f'href="{entry.get_absolute_url()}">{entry.reference}</a>' in page
    assert "Record the meeting" in page and "Refresh the inputs" in page


def test_attendees_read_the_review_without_its_forms(client, review, member):
    page = _page(client, member, review.get_absolute_url())
    assert "Record the meeting</button>" not in page and "Refresh the inputs" not in page
    assert "Change the details" not in page


def test_the_meeting_decisions_and_actions_are_recorded_without_javascript(
    client, review, quality_manager, chair, member
):
    url = review.get_absolute_url()
    _post(
        client,
        quality_manager,
        f"{url}meeting/",
        {
            "meeting-held_on": timezone.localdate().isoformat(),
            "meeting-attendees": [member.pk],
            "meeting-minutes": "Inputs discussed.",
            "meeting-conclusion": "Suitable, adequate, effective.",
        },
    )
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.HELD
    # A decision with an action, but no owner for it: the form says so next to the field; nothing is recorded.
    decision = {
        "decision-kind": "qms_change",
        "decision-text": "The quality manual must name traceability.",
        "decision-action_description": "Revise the manual",
        "decision-action_due_date": in_days(30).isoformat(),
    }
    page = _post(client, quality_manager, f"{url}decisions/", decision, status=400).content.decode()
    assert 'id="id_decision-action_owner_error"' in page and "Needed for the action." in page
    assert not Decision.objects.exists()
    _post(client, quality_manager, f"{url}decisions/", {**decision, "decision-action_owner": member.pk})
    recorded = Decision.objects.get()
    assert recorded.kind == "qms_change" and recorded.actions.get().owner == member
    _post(
        client,
        quality_manager,
        f"{url}decisions/{recorded.pk}/actions/",
        {
            f"action-{recorded.pk}-description": "Brief the team",
            f"action-{recorded.pk}-owner": member.pk,
            f"action-{recorded.pk}-due_date": in_days(20).isoformat(),
        },
    )
    assert recorded.actions.count() == 2
    page = _page(client, quality_manager, url)
    assert "Revise the manual" in page and "Brief the team" in page
    assert "Turn A1 into a CAPA" in page and "Turn A2 into a document change request" in page


def test_an_action_is_turned_into_a_capa_from_the_page(client, held, quality_manager):
    action = held.actions.get()
    url = f"{held.get_absolute_url()}actions/{action.pk}/capa/"
    response = _post(
        client, quality_manager, url, {f"capa-{action.pk}-kind": "corrective", f"capa-{action.pk}-severity": "high"}
    )
    capa = Capa.objects.get()
    assert response["Location"] == f"{held.get_absolute_url()}#action-{action.pk}"
    page = _page(client, quality_manager, held.get_absolute_url())
    assert f'<a href="{capa.get_absolute_url()}">{capa.reference}</a>' in page
    assert "Turn A1 into a CAPA" not in page
    capa_page = _page(client, quality_manager, capa.get_absolute_url())
    assert f"From management review {action.label}" in capa_page


def test_a_refused_hand_over_shows_the_reason_on_the_page(client, held, quality_manager):
    action = held.actions.get()
    url = f"{held.get_absolute_url()}actions/{action.pk}/change-request/"
    page = _post(client, quality_manager, url, {f"change-{action.pk}-document": "999999"}, status=400).content.decode()
    assert "Select a valid choice." in page
    assert ReviewAction.objects.get().status == ReviewAction.Status.OPEN


def test_the_chair_signs_on_the_page_and_a_wrong_password_is_refused_next_to_it(client, held, chair, quality_manager):
    url = held.get_absolute_url()
    assert "Sign the review" not in _page(client, quality_manager, url), "only the chair is offered the form"
    assert "Sign the review" in _page(client, chair, url)
    page = _post(client, chair, f"{url}sign/", {"sign-password": "wrong"}, status=400).content.decode()
    assert "The password is not correct. Nothing was signed." in page
    held.refresh_from_db()
    assert held.status == ManagementReview.Status.HELD
    _post(client, chair, f"{url}sign/", {"sign-password": PASSWORD})
    page = _page(client, chair, url)
    assert "Signed (approved) by Richard Hughes" in page
    assert "Sign the review" not in page and "Record a decision" not in page


def test_a_quality_manager_posting_the_signature_is_refused(client, held, quality_manager):
    _post(client, quality_manager, f"{held.get_absolute_url()}sign/", {"sign-password": PASSWORD}, status=403)


def test_the_report_is_asked_for_and_its_progress_shown(client, held, quality_manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(quality_manager)
    response = client.post(f"{held.get_absolute_url()}report/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'class="job job-' in response.content.decode()
    response = client.post(f"{held.get_absolute_url()}report/")
    assert response.status_code == 302 and response["Location"].endswith("#report")


def test_the_history_tells_who_did_what_and_why(client, signed, quality_manager):
    page = _page(client, quality_manager, f"{signed.get_absolute_url()}history/")
    for reason in ("Review started for", "Meeting held on", "Decision D1 recorded", "Signed by the chair: approved"):
        assert reason in page


@pytest.mark.parametrize("size", [1, 4])
def test_the_review_page_asks_the_same_number_of_queries_whatever_its_decisions(
    client, django_assert_num_queries, review, quality_manager, member, size
):
    held = hold(review, quality_manager, member)
    for _ in range(size):
        decision = decide(held, quality_manager, member)
        services.action_add(
            actor=quality_manager, decision=decision, description="More", owner=member, due_date=in_days(9)
        )
    client.force_login(User.objects.get(pk=quality_manager.pk))
    ContentType.objects.get_for_model(ManagementReview)  # cached for the process once asked: asked before counting
    with django_assert_num_queries(DETAIL_QUERIES):
        page = client.get(held.get_absolute_url()).content.decode()
    assert page.count('<tr id="action-') == 2 * size
