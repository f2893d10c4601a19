"""Load, bounded (issue #9): fifty people use the app at once, and nothing breaks and nothing is lost.

Each piece runs in its own process, as in production: gunicorn (3 sync workers, DEBUG off) on the test database, a
real Celery worker on Redis, and Locust, headless, with 50 users (tests/load/locustfile.py: employees reading and
submitting ideas with photos and voting, quality managers revising documents and signing approvals two at a time,
auditors reading audits) for LOAD_SECONDS: 60 in the suite and CI, 300 with `make load`. Then:

- no request failed: no 5xx, no connection error, no answer other than the refusals the races may bring (a second
  draft of a document being revised); every failure is listed;
- every write the server accepted is in the database: each idea with its photos (the files in storage, digests
  matching), each vote, each revision with its file, each signed approval, and each revision that every approver
  signed in force (or superseded by a later one);
- nothing logged an error (a task that failed in the worker, a seal that failed after a commit), and the audit trail
  is intact after all that concurrent sealing.

The web server runs the test settings with DEBUG off: production's but for the quick password hash (every sign-in and
every signature checks a password; production's hashing would take most of this 2-core machine, and the figures would
measure PBKDF2) and for two-factor sign-in, which a load test cannot answer. The data is the demo organisation
(`seed_demo`), so pages are as full as a small company's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import F
from rest_framework.authtoken.models import Token

from bench.run import free_port, start, stop, wait_for
from documents.models import Approval, Revision
from improvement.models import Attachment, Idea, Vote
from qms.models import Signature, User
from qms.trail.verify import verify_trail
from tests.conftest import PASSWORD, REDIS_URL, ROOT, _database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = 50
SPAWN_RATE = 10
WEB_WORKERS = 3
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Signs of trouble in the logs of the web server and the worker (the formats of Django's log, gunicorn's and Celery's).
ERROR_MARKS = (" ERROR ", "[ERROR]", "ERROR/", "CRITICAL", "Traceback")


@pytest.fixture
def people(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The demo organisation, seeded and committed for the other processes to see; its people with their API tokens in
    a file for Locust. Files are stored in a folder of the test's own, by every process."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))  # the worker and the web server take it from their environment
    call_command("seed_demo", "--password", PASSWORD, stdout=io.StringIO())
    everyone = User.objects.filter(is_active=True, is_superuser=False).order_by("username")
    path = tmp_path / "people.json"
    path.write_text(
        json.dumps(
            {
                "password": PASSWORD,
                "people": [
                    {
                        "id": user.pk,
                        "username": user.username,
                        "roles": user.roles,
                        # Made here: the token endpoint allows 10 sign-ins a minute from one address, and Locust's 50
                        # users all come from 127.0.0.1.
                        "token": Token.objects.get_or_create(user=user)[0].key,
                    }
                    for user in everyone
                ],
            }
        )
    )
    return path


def _drained(stream: Any) -> list[str]:
    """The lines a child process writes, read as they come: a pipe nobody reads fills up and stalls the child."""
    lines: list[str] = []

    def read() -> None:
        for line in stream:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


@contextmanager
def _web_server(log: Path) -> Iterator[str]:
    """gunicorn on the test database, its tasks sent to the worker's Redis; the base URL while it runs."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",  # not a line per sign-in
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "qms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS)]
    process = start([*command, "--no-control-socket", "--log-level", "warning"], environment, log)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _run_locust(base: str, people: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        f"{LOAD_SECONDS}s",
        # Users finish the task they are in (a revision's approvals) before the run ends, for up to this long.
        "--stop-timeout",
        "15",
        "--host",
        base,
        "--csv",
        str(folder / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    environment = {**os.environ, "LOAD_PEOPLE": str(people), "LOAD_JOURNAL": str(folder / "journal.jsonl")}
    # Locust stops itself after the run time; the timeout only bounds a Locust that hangs.
    return subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=LOAD_SECONDS + 120, check=False
    )


def _journal(path: Path) -> dict[str, list[dict[str, Any]]]:
    """What the locustfile journaled, by kind: the accepted writes, the expected refusals, the failures."""
    journaled: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in path.read_text().splitlines() if path.exists() else []:
        record = json.loads(line)
        journaled[record["kind"]].append(record)
    return journaled


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _stored_sha256(name: str) -> str | None:
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _idea_problems(ideas: list[dict[str, Any]]) -> list[str]:
    problems = []
    found = Idea.objects.select_related("submitter").in_bulk([idea["id"] for idea in ideas])
    attachments = Attachment.objects.in_bulk([file["id"] for idea in ideas for file in idea["attachments"]])
    for idea in ideas:
        row = found.get(idea["id"])
        submitter = row.submitter.username if row is not None and row.submitter is not None else None
        if row is None or (row.reference, row.title, submitter) != (
            idea["reference"],
            idea["title"],
            idea["submitter"],
        ):
            problems.append(f"idea {idea['reference']} ({idea['title']}) is not as accepted")
        for file in idea["attachments"]:
            attachment = attachments.get(file["id"])
            if attachment is None or attachment.idea_id != idea["id"] or attachment.sha256 != file["sha256"]:
                problems.append(f"attachment {file['id']} of {idea['reference']} is not as accepted")
            elif _stored_sha256(attachment.file.name) != file["sha256"]:
                problems.append(
                    f"attachment {file['id']} of {idea['reference']}: {attachment.file.name} not in storage"
                )
    return problems


def _vote_problems(votes: list[dict[str, Any]]) -> list[str]:
    kept = set(Vote.objects.values_list("idea_id", "voter__username"))
    return [
        f"vote of {vote['voter']} for idea {vote['idea']} is missing"
        for vote in votes
        if (vote["idea"], vote["voter"]) not in kept
    ]


def _revision_problems(journaled: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems = []
    found = Revision.objects.select_related("author").in_bulk([revision["id"] for revision in journaled["revision"]])
    for revision in journaled["revision"]:
        row = found.get(revision["id"])
        if row is None or (row.document_id, row.author.username, row.sha256) != (
            revision["document"],
            revision["author"],
            revision["sha256"],
        ):
            problems.append(f"revision {revision['id']} of document {revision['document']} is not as uploaded")
        elif _stored_sha256(row.file.name) != revision["sha256"]:
            problems.append(f"revision {revision['id']}: its file {row.file.name} is not in storage")
    for submission in journaled["submission"]:
        row = found.get(submission["revision"])
        if row is None or row.status in {Revision.Status.DRAFT, Revision.Status.WITHDRAWN}:
            problems.append(f"revision {submission['revision']} was submitted, but is not in review or beyond")
    # Signed over the revision's own content, as the approver was shown it.
    signed = set(
        Approval.objects.filter(
            decision=Approval.Decision.APPROVED,
            signature__meaning=Signature.Meaning.APPROVED,
            signature__content_sha256=F("revision__sha256"),
        ).values_list("revision_id", "approver__username")
    )
    approvers = Counter(approval["revision"] for approval in journaled["approval"])
    for approval in journaled["approval"]:
        if (approval["revision"], approval["approver"]) not in signed:
            problems.append(
                f"the signed approval of {approval['approver']} on revision {approval['revision']} is missing"
            )
    in_force = {Revision.Status.EFFECTIVE, Revision.Status.SUPERSEDED}
    for revision, count in approvers.items():
        row = found.get(revision)
        if count == 2 and (row is None or row.status not in in_force):  # the locustfile asks two approvers
            problems.append(f"revision {revision} was approved by both approvers, but is not in force")
    return problems


def _errors_logged(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines if any(mark in line for mark in ERROR_MARKS)]


def _summary(stats: list[dict[str, str]], journaled: dict[str, list[dict[str, Any]]]) -> str:
    """The figures of the run, for `make load` (pytest -s) and for a failure's message."""
    lines = [
        f"{USERS} users for {LOAD_SECONDS} s",
        f"{'request':<36}{'count':>8}{'failed':>8}{'p50 ms':>8}{'p95 ms':>8}",
    ]
    for row in stats:
        lines.append(
            f"{row['Name']:<36}{row['Request Count']:>8}{row['Failure Count']:>8}{row['50%']:>8}{row['95%']:>8}"
        )
    lines.append("journal: " + ", ".join(f"{len(rows)} {kind}" for kind, rows in sorted(journaled.items())))
    return "\n".join(lines)


def test_fifty_people_at_once_get_no_server_error_and_every_accepted_write_is_kept(
    people: Path, worker: subprocess.Popen[str], tmp_path: Path
) -> None:
    worker_output = _drained(worker.stdout)
    server_log = tmp_path / "gunicorn.log"
    with _web_server(server_log) as base:
        locust = _run_locust(base, people, tmp_path)
    stats_file = tmp_path / "locust_stats.csv"
    assert stats_file.exists(), f"Locust wrote no statistics:\n{locust.stdout[-3000:]}\n{locust.stderr[-3000:]}"
    stats = _csv_rows(stats_file)
    journaled = _journal(tmp_path / "journal.jsonl")
    summary = _summary(stats, journaled)
    print(summary)

    exceptions = _csv_rows(tmp_path / "locust_exceptions.csv")
    assert exceptions == [], "The locustfile raised:\n" + "\n".join(row["Traceback"] for row in exceptions)
    failures = [
        f"{row['Method']} {row['Name']}: {row['Error']} (x{row['Occurrences']})"
        for row in _csv_rows(tmp_path / "locust_failures.csv")
    ] + [f"{failure['request']}: {failure['detail']}" for failure in journaled["failure"]]
    assert failures == [], "Requests failed under load:\n" + "\n".join(failures) + "\n\n" + summary
    total = next(row for row in stats if row["Name"] == "Aggregated")
    assert int(total["Request Count"]) > USERS * 5, summary
    assert all(journaled[kind] for kind in ("idea", "vote", "revision", "approval")), f"Too few writes:\n{summary}"

    problems = _idea_problems(journaled["idea"]) + _vote_problems(journaled["vote"]) + _revision_problems(journaled)
    assert problems == [], "Accepted writes not in the database:\n" + "\n".join(problems)

    errors = _errors_logged(server_log.read_text(errors="replace").splitlines()) + _errors_logged(worker_output)
    assert errors == [], "Errors logged under load:\n" + "\n".join(errors[:50])
    assert worker.poll() is None, "The worker died:\n" + "".join(worker_output[-50:])
    trail = verify_trail()
    assert trail.ok, "The audit trail is broken after the load:\n" + "\n".join(trail.problems)
