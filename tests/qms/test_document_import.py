"""Importing documents from an earlier system (qms/imports): the dry run's report, line by line, on a messy list; an
all-or-nothing import that keeps numbers; a second run that skips what is there; hostile ZIPs refused."""

from __future__ import annotations

import hashlib
import io
import stat
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from documents import services as document_services
from documents.models import Approval, Document, DocumentType, Revision
from qms.imports import archives
from qms.imports import documents as document_imports
from qms.imports.documents import check_documents, export_documents, import_documents
from qms.models import Signature
from tests.conftest import api_as
from tests.qms.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

CLEANING = b"# Cleaning the filling line\n\nRinse, foam, rinse, sanitise.\n"
CALIBRATION = b"# Calibrating the scales\n\nWeekly, with the 5 kg weight.\n"
TRAINING = b"# Training new starters\n\nBuddy for the first week.\n"
HEADER = "number,title,type,owner,department,clauses,revision,effective_date,review_period_months,approvers,file"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def production(quality_manager: Any) -> Any:
    return DepartmentFactory(name="Production", code="prod")


def _zip(files: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def _good_list(owner: str) -> bytes:
    return "\n".join(
        [
            HEADER,
            f"SOP-0120,Cleaning the filling line,SOP,{owner},Production,"
            '"7.5.3; 8.5.1",3,2025-03-01,12,"Anna Berg, Tom Lee",sops/cleaning.md',
            f"SOP-0007,Calibrating the scales,SOP,{owner},prod,7.1.5,1,01.06.2024,24,,sops/calibration.md",
            f"WI-0002,Training new starters,WI,{owner},,,2,2023-11-15,,,training.md",
        ]
    ).encode()


def _good_zip() -> io.BytesIO:
    return _zip({"sops/cleaning.md": CLEANING, "sops/calibration.md": CALIBRATION, "training.md": TRAINING})


def test_a_clean_list_imports_every_document_in_force_keeping_its_number_and_revision(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    report = import_documents(_good_list(employee.username), _good_zip(), actor=quality_manager, source="master.csv")
    assert report.ok and (report.count("create"), report.count("skip")) == (3, 0), report.as_dict()

    cleaning = Document.objects.get(number="SOP-0120")
    assert (cleaning.title, cleaning.owner, cleaning.department) == ("Cleaning the filling line", employee, production)
    assert cleaning.status == Document.Status.EFFECTIVE
    assert sorted(cleaning.clauses.values_list("number", flat=True)) == ["7.5.3", "8.5.1"]
    assert cleaning.next_review_due == date(2026, 3, 1)
    (revision,) = cleaning.revisions.all()
    assert (revision.revision, revision.status, revision.effective_date) == (3, "effective", date(2025, 3, 1))
    assert revision.sha256 == hashlib.sha256(CLEANING).hexdigest()
    with default_storage.open(revision.file.name) as stored:
        assert stored.read() == CLEANING
    source = "master.csv, line 2: sops/cleaning.md"
    assert revision.imported_from == source
    assert revision.approved_outside_by == "Anna Berg, Tom Lee"
    # Recorded as imported, by whom and from which file: not approved or signed by anyone here.
    created = revision.history.earliest()
    assert created.history_user == quality_manager
    assert created.history_change_reason == f"Imported from {source}; file SHA-256 {revision.sha256}"
    assert not Approval.objects.exists() and not Signature.objects.exists()
    client = Client()
    client.force_login(quality_manager)
    page = client.get(revision.get_absolute_url()).content.decode()
    assert "Imported from an earlier system, where it was approved; nobody approved or signed it here." in page
    assert source in page
    assert api_as(quality_manager).get(f"/api/v1/revisions/{revision.pk}/").json()["imported_from"] == source
    assert Document.objects.get(number="SOP-0007").next_review_due == date(2026, 6, 1)
    assert Document.objects.get(number="WI-0002").revisions.get().revision == 2

    # The type's numbering goes on after the highest number kept, and revisions after the imported one.
    sop = DocumentType.objects.get(code="SOP")
    registered = document_services.document_create(
        actor=quality_manager, document_type=sop, title="New", owner=employee
    )
    assert registered.number == "SOP-0121"


def test_running_the_same_list_again_skips_what_it_brought_in(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    import_documents(_good_list(employee.username), _good_zip(), actor=quality_manager, source="master.csv")
    again = import_documents(_good_list(employee.username), _good_zip(), actor=quality_manager, source="master.csv")
    assert again.ok and (again.count("create"), again.count("skip")) == (0, 3)
    assert "was imported before with this file" in again.rows[0].messages[0]
    assert Document.objects.count() == 3 and Revision.objects.count() == 3


def test_the_dry_run_reports_every_problem_by_line_and_writes_nothing(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    existing = document_services.document_create(
        actor=quality_manager, document_type=DocumentType.objects.get(code="SOP"), title="Here already", owner=employee
    )
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = [
        "number;title;type;owner;department;clauses;revision;effective_date;file",  # semicolons, as Excel in Europe
        f"SOP-0120;Reinigung der Abfüllanlage;SOP;{employee.username};Production;7.5.3;3;2025-03-01;sops/cleaning.md",
        "SOP-0121;Nobody owns this;SOP;ghost;;;;2025-03-01;sops/calibration.md",
        f"SOP-0120;Same number again;SOP;{employee.username};;;;2025-03-01;training.md",
        f"SOP-0122;A missing file;SOP;{employee.username};;;;2025-03-01;sops/missing.md",
        f"SOP-0123;A web page named .pdf;SOP;{employee.username};;;;2025-03-01;page.pdf",
        f"SOP-0124;A bad date;SOP;{employee.username};;;;31/02/2025;training.md",
        f"SOP-0125;Not yet in force;SOP;{employee.username};;;;{tomorrow};training.md",
        f"WI-0126;Wrong prefix;SOP;{employee.username};Nowhere;9.9.9;C;2025-03-01;training.md",
        f"{existing.number};Taken;SOP;{employee.username};;;;2025-03-01;training.md",
        f"SOP-0127;Un;quoted;SOP;{employee.username};;;;2025-03-01;training.md",
    ]
    master = "\r\n".join(rows).encode("cp1252")  # Windows-1252, as Excel saves "CSV" there
    files = _zip({**dict(_good_zip_files()), "page.pdf": b"<!doctype html><script>alert(1)</script>"})

    report = check_documents(master, files, actor=quality_manager)

    assert not report.ok and report.file_errors == []
    assert report.notes[0] == "The file is not UTF-8; it was read as Windows-1252 (Western European)."
    by_line = {row.line: (row.outcome, " ".join(row.messages)) for row in report.rows}
    assert by_line[2] == ("create", "")
    expected = {
        3: "Unknown owner 'ghost'",
        4: "SOP-0120 is also on line 2.",
        5: "The file 'sops/missing.md' is not in the ZIP.",
        6: "The file 'page.pdf' is refused",
        7: "The effective date '31/02/2025' is not a date",
        8: "is in the future; only documents in force are imported.",
        9: "does not start with its type's code, SOP-.",
        10: f"{existing.number} is already a document here.",
        11: "more cells than there are columns; is a semicolon inside a cell?",
    }
    for line, message in expected.items():
        assert by_line[line][0] == "error" and message in by_line[line][1], (line, by_line[line])
    assert "Unknown department 'Nowhere'" in by_line[9][1] and "Unknown ISO 9001 clause '9.9.9'" in by_line[9][1]
    assert "The revision 'C' is not a whole number" in by_line[9][1]
    assert Document.objects.count() == 1 and Revision.objects.count() == 0


def _good_zip_files() -> dict[str, bytes]:
    return {"sops/cleaning.md": CLEANING, "sops/calibration.md": CALIBRATION, "training.md": TRAINING}


def test_one_wrong_row_and_nothing_is_imported(quality_manager: Any, employee: Any, production: Any) -> None:
    master = _good_list(employee.username) + b"\nSOP-0200,Broken,SOP,ghost,,,,2025-01-01,training.md\n"
    report = import_documents(master, _good_zip(), actor=quality_manager, source="master.csv")
    assert not report.ok and report.count("error") == 1
    assert not Document.objects.exists()


def test_a_failure_half_way_through_writing_leaves_no_document_and_no_file(
    quality_manager: Any, employee: Any, production: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    real = document_imports.document_import
    calls = []

    def fail_on_the_third(**fields: Any) -> Any:
        calls.append(fields["number"])
        if len(calls) == 3:
            raise OSError("disk full")
        return real(**fields)

    monkeypatch.setattr(document_imports, "document_import", fail_on_the_third)
    with pytest.raises(OSError):
        import_documents(_good_list(employee.username), _good_zip(), actor=quality_manager, source="master.csv")
    assert not Document.objects.exists() and not Revision.objects.exists()
    stored = list(Path(settings.MEDIA_ROOT).rglob("*.*"))
    assert stored == []


@pytest.mark.parametrize(
    ("data", "encoding_note"),
    [
        ("\ufeff" + HEADER, None),  # UTF-8 with a byte-order mark, as Excel's "CSV UTF-8"
        (HEADER.replace(",", "\t"), None),
    ],
)
def test_lists_with_a_byte_order_mark_or_tabs_are_read(
    quality_manager: Any, employee: Any, production: Any, data: str, encoding_note: Any
) -> None:
    delimiter = "\t" if "\t" in data else ","
    row = delimiter.join(
        ["SOP-0120", "Cleaning", "SOP", employee.username, "", "", "", "2025-03-01", "", "", "training.md"]
    )
    report = check_documents((data + "\n" + row).encode(), _good_zip(), actor=quality_manager)
    assert report.ok and report.count("create") == 1, report.as_dict()


def test_a_list_without_its_columns_is_refused_as_a_whole(quality_manager: Any) -> None:
    report = check_documents(b"name,file\nx,y\n", _good_zip(), actor=quality_manager)
    assert report.file_errors == [
        "The master list: Columns missing: number, title, type, owner, effective_date. The first line must name the "
        "columns (found: name, file)."
    ]


# --- Hostile ZIPs ---------------------------------------------------------------------------------------------------


def test_zip_entries_that_climb_out_or_link_elsewhere_are_refused_and_never_read(
    quality_manager: Any, employee: Any, production: Any
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/cron.d/evil.md", b"# evil")
        archive.writestr("/etc/passwd.md", b"# evil")
        link = zipfile.ZipInfo("link.md")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
        archive.writestr("training.md", TRAINING)
    buffer.seek(0)
    rows = [HEADER] + [
        f"SOP-01{index},Title,SOP,{employee.username},,,,2025-03-01,,,{name}"
        for index, name in enumerate(["../../etc/cron.d/evil.md", "/etc/passwd.md", "link.md", "training.md"], start=10)
    ]
    report = check_documents("\n".join(rows).encode(), buffer, actor=quality_manager)
    outcomes = [(row.outcome, " ".join(row.messages)) for row in report.rows]
    assert outcomes[0] == (
        "error",
        "The file '../../etc/cron.d/evil.md' is refused: its name points outside the archive.",
    )
    assert outcomes[1] == ("error", "The file '/etc/passwd.md' is refused: its name points outside the archive.")
    assert outcomes[2] == ("error", "The file 'link.md' is refused: it is a symbolic link.")
    assert outcomes[3] == ("create", "")


def test_a_zip_bomb_entry_and_an_archive_of_too_many_entries_are_refused(
    quality_manager: Any, employee: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = _zip({"bomb.md": b"0" * (20 * 1024 * 1024)})
    row = f"SOP-0100,Bomb,SOP,{employee.username},,,,2025-03-01,,,bomb.md"
    report = check_documents(f"{HEADER}\n{row}".encode(), bomb, actor=quality_manager)
    assert "unpacks to over a hundred times its packed size" in report.rows[0].messages[0]

    monkeypatch.setattr(archives, "MAX_MEMBERS", 100)
    many = _zip({f"tiny/{index}.md": b"x" for index in range(101)})
    report = check_documents(f"{HEADER}\n{row}".encode(), many, actor=quality_manager)
    assert report.file_errors == ["The ZIP: The ZIP holds 101 entries; at most 100 are read. Split it."]

    report = check_documents(f"{HEADER}\n{row}".encode(), io.BytesIO(b"not a zip"), actor=quality_manager)
    assert report.file_errors == ["The ZIP: The file is not a ZIP archive (or it is damaged)."]


# --- From the command line ------------------------------------------------------------------------------------------


def test_the_command_checks_with_dry_run_then_imports(
    quality_manager: Any, employee: Any, production: Any, tmp_path: Path
) -> None:
    master = tmp_path / "master.csv"
    master.write_bytes(_good_list(employee.username))
    files = tmp_path / "files.zip"
    files.write_bytes(_good_zip().getvalue())
    out = io.StringIO()
    call_command("import_documents", master, files, "--as", quality_manager.username, "--dry-run", stdout=out)
    assert "Dry run: 3 to import, 0 already there." in out.getvalue()
    assert not Document.objects.exists()
    call_command("import_documents", master, files, "--as", quality_manager.username, stdout=out, stderr=io.StringIO())
    assert "Imported 3; 0 were already there." in out.getvalue()
    assert Document.objects.count() == 3
    out = io.StringIO()
    call_command(
        "export_documents", tmp_path / "out.csv", tmp_path / "out.zip", "--as", quality_manager.username, stdout=out
    )
    assert "Exported 3 documents in force" in out.getvalue()
    with zipfile.ZipFile(tmp_path / "out.zip") as exported:
        assert sorted(exported.namelist()) == ["SOP-0007/calibration.md", "SOP-0120/cleaning.md", "WI-0002/training.md"]

    master.write_bytes(_good_list(employee.username) + b"\nSOP-0300,X,SOP,ghost,,,,2025-01-01,,,training.md\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_documents", master, files, "--as", quality_manager.username, stdout=out)
    assert "line 5 (SOP-0300): Unknown owner 'ghost'" in out.getvalue()
    with pytest.raises(CommandError, match="is not an active quality manager"):
        call_command("import_documents", master, files, "--as", employee.username)


# --- Moving out and back in -----------------------------------------------------------------------------------------


class _RolledBack(Exception):
    pass


def _snapshot() -> list[tuple[Any, ...]]:
    return [
        (
            document.number,
            document.title,
            document.document_type.code,
            document.owner.username,
            document.department.name if document.department else "",
            sorted(document.clauses.values_list("number", flat=True)),
            document.review_period_months,
            revision.revision,
            revision.sha256,
            revision.original_filename,
        )
        for document in Document.objects.filter(status="effective").order_by("number")
        for revision in document.revisions.filter(status="effective")
    ]


def test_an_export_imports_back_as_the_same_documents_with_the_same_files(
    quality_manager: Any, employee: Any, production: Any, tmp_path: Path
) -> None:
    from django.db import transaction

    from tests.documents.conftest import make_effective, text_file
    from tests.qms.factories import UserFactory

    approver = UserFactory(username="approver.one", password="correct-horse-battery-staple", roles=["employee"])
    master, files = io.StringIO(), io.BytesIO()
    # The records are made, exported, and rolled back: the import then meets a database without them, as a new QMS
    # would (the stored files stay; storage is not transactional, and the import stores its own copies).
    with pytest.raises(_RolledBack), transaction.atomic():
        import_documents(_good_list(employee.username), _good_zip(), actor=quality_manager, source="old.csv")
        made_here = document_services.document_create(
            actor=quality_manager,
            document_type=DocumentType.objects.get(code="POL"),
            title="=Quality policy, with a formula-looking title",
            owner=quality_manager,
            department=production,
        )
        draft = document_services.revision_create(
            actor=quality_manager, document=made_here, file=text_file(), change_summary="First issue"
        )
        make_effective(draft, approver)
        before = _snapshot()
        assert export_documents(master, files, actor=quality_manager) == 4
        raise _RolledBack
    assert not Document.objects.exists()

    files.seek(0)
    report = import_documents(master.getvalue().encode(), files, actor=quality_manager, source="export.csv")
    assert report.ok and report.count("create") == 4, report.as_dict()
    assert _snapshot() == before
    policy = Document.objects.get(title__startswith="=Quality policy")
    assert policy.revisions.get().approved_outside_by == approver.get_full_name()
