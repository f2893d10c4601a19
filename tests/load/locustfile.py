"""The people of the load test (tests/load/test_load.py, `make load`): employees, quality managers and auditors using
the app at once, as Locust users.

Employees read the document register, document pages, their "my work" page and the idea board, submit ideas with a
small photo, and vote. Quality managers revise documents through the API: upload a draft, submit it to the other
quality manager and an auditor, and both sign their approval (password re-checked) at the same moment. Auditors read
the audits and their findings. Pages are read in the browser's way (signed in through the login form); writes go
through the REST API with each person's token.

Every write the server accepted is appended to the journal, so the test can find each one in the database
afterwards; so is every refusal the product is expected to give under these races (a second draft of a document
another quality manager is revising). Any other answer is a failure, in Locust's statistics and in the journal, with
its status and the start of its body. Some requests race on purpose: an approval's two signatures are sent at once,
and one vote in four twice at once (a double click).

The test hands over its people in a JSON file (LOAD_PEOPLE: `{"password", "people": [{"id", "username", "roles",
"token"}]}`) and names the journal (LOAD_JOURNAL). Run alone: `locust -f tests/load/locustfile.py --host …` with both
set.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

import gevent
from locust import HttpUser, between, task
from locust.clients import ResponseContextManager
from PIL import Image

_PEOPLE = json.loads(open(os.environ["LOAD_PEOPLE"]).read())  # noqa: SIM115 - read once, when Locust loads the file
PASSWORD: str = _PEOPLE["password"]
PEOPLE: list[dict[str, Any]] = _PEOPLE["people"]
_JOURNAL = open(os.environ["LOAD_JOURNAL"], "a", buffering=1)  # noqa: SIM115 - open for the whole run, one line a write
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Not for secrets: which document, idea or colour a simulated person picks.
_pick = random.Random()  # noqa: S311


def journal(**record: Any) -> None:
    """One line per accepted write, expected refusal or failure. Locust's users are greenlets of one process, and a
    line is written in one call that never yields, so lines never interleave."""
    _JOURNAL.write(json.dumps(record) + "\n")


def _holds(person: dict[str, Any], role: str) -> bool:
    return role in person["roles"]


QUALITY_MANAGERS = [person for person in PEOPLE if _holds(person, "quality_manager")]
AUDITORS = [person for person in PEOPLE if _holds(person, "auditor") and not _holds(person, "quality_manager")]
EMPLOYEES = [person for person in PEOPLE if person["roles"] == ["employee"]]


def _nothing_expected(response: ResponseContextManager) -> bool:
    return False


def _another_draft_in_progress(response: ResponseContextManager) -> bool:
    """Two quality managers revising the same document at once: the second is told to wait (400, not 500)."""
    return response.status_code == 400 and "before starting another" in response.text


class Person(HttpUser):
    """Someone signed in twice over: a browser session for the pages, a token for the API."""

    abstract = True
    wait_time = between(1, 3)
    pool: list[dict[str, Any]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each kind hands out its pool's people in turn, so that the users spread over every one of them.
        cls._turn = itertools.count()

    def on_start(self) -> None:
        self.person = self.pool[next(self._turn) % len(self.pool)]
        login = self.call("GET", "/accounts/login/", name="sign in (form)")
        token = _CSRF.search(login.text) if login is not None else None
        if token is None:
            raise RuntimeError("The login page has no CSRF token")
        self.call(
            "POST",
            "/accounts/login/",
            name="sign in",
            ok=(302,),
            data={"username": self.person["username"], "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        ok: tuple[int, ...] = (200,),
        refused: Callable[[ResponseContextManager], bool] = _nothing_expected,
        as_person: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> ResponseContextManager | None:
        """One request; the answer when it is one of `ok`, else None. `as_person` sends it with that person's API
        token (the API's way of signing in); without it, the browser session is used. Redirects are not followed: a
        page that sends a signed-out person to the login form must fail, not pass as the login form's 200."""
        kwargs.setdefault("allow_redirects", False)
        if as_person is not None:
            kwargs["headers"] = {"Authorization": f"Token {as_person['token']}"}
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code in ok:
                response.success()
                return response
            if refused(response):
                response.success()
                journal(kind="refused", request=name, status=response.status_code, detail=response.text[:300])
                return None
            reason = f"HTTP {response.status_code}: {response.error or response.text[:300]}"
            response.failure(reason)
            # Journaled too: a request still running when Locust writes its statistics is missing from them.
            journal(kind="failure", request=name, detail=reason)
            return None

    def api_ids(self, path: str, *, name: str) -> list[int]:
        """The ids on the first page (of 200) of an API list, as this person sees it."""
        response = self.call("GET", path, name=name, as_person=self.person)
        return [row["id"] for row in response.json()["results"]] if response is not None else []


class Employee(Person):
    weight = 8
    pool = EMPLOYEES

    def on_start(self) -> None:
        super().on_start()
        self.documents = self.api_ids("/api/v1/documents/?status=effective&page_size=200", name="API: documents")
        self.refresh_ideas()

    @task(3)
    def document_register(self) -> None:
        self.call("GET", "/documents/", name="document register")

    @task(3)
    def document_page(self) -> None:
        if self.documents:
            self.call("GET", f"/documents/{_pick.choice(self.documents)}/", name="document page")

    @task(2)
    def my_work(self) -> None:
        self.call("GET", "/", name="my work")

    @task(2)
    def idea_board(self) -> None:
        self.call("GET", "/improvement/board/", name="idea board")

    @task(1)
    def refresh_ideas(self) -> None:
        """The ideas still open for votes, new ones of the others included."""
        self.ideas = self.api_ids("/api/v1/ideas/?stage=submitted&page_size=200", name="API: open ideas")

    @task(2)
    def vote(self) -> None:
        if not self.ideas:
            return
        idea = _pick.choice(self.ideas)
        # One vote in four is a double click: the same vote sent twice at once, which counts once and answers both.
        clicks = 2 if _pick.random() < 0.25 else 1
        gevent.joinall([gevent.spawn(self.cast_vote, idea) for _ in range(clicks)], raise_error=True)

    def cast_vote(self, idea: int) -> None:
        path = f"/api/v1/ideas/{idea}/vote/"
        if self.call("POST", path, name="API: vote", as_person=self.person) is not None:
            journal(kind="vote", idea=idea, voter=self.person["username"])

    @task(1)
    def submit_idea(self) -> None:
        # One idea in five is anonymous: its photo is stored again without metadata, so its digest is the server's.
        anonymous = _pick.random() < 0.2
        title = f"Load test idea {uuid.uuid4().hex[:12]}"
        response = self.call(
            "POST",
            "/api/v1/ideas/",
            name="API: submit idea",
            ok=(201,),
            as_person=self.person,
            data={
                "title": title,
                "problem": "Pallets wait at the gate while the paperwork is checked.",
                "proposal": "Check the paperwork before the truck arrives.",
                "category": "quality",
                "anonymous": json.dumps(anonymous),
            },
            files={"files": ("gate.png", _photo(), "image/png")},
        )
        if response is None:
            return
        idea = response.json()
        journal(
            kind="idea",
            id=idea["id"],
            reference=idea["reference"],
            title=title,
            submitter=None if anonymous else self.person["username"],
            attachments=[{"id": file["id"], "sha256": file["sha256"]} for file in idea["attachments"]],
        )


def _photo() -> bytes:
    """A small real PNG, a different colour each time."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), tuple(_pick.randrange(256) for _ in range(3))).save(buffer, format="PNG")
    return buffer.getvalue()


class QualityManager(Person):
    weight = 1
    pool = QUALITY_MANAGERS

    def on_start(self) -> None:
        super().on_start()
        self.documents = self.api_ids("/api/v1/documents/?status=effective&page_size=200", name="API: documents")

    @task(3)
    def revise_and_approve(self) -> None:
        """Upload a new draft, submit it to the other quality manager and an auditor, and let both sign at once."""
        document = _pick.choice(self.documents)
        text = f"# Revised under load\n\nBy {self.person['username']}, {uuid.uuid4()}.\n"
        draft = self.call(
            "POST",
            f"/api/v1/documents/{document}/revisions/",
            name="API: upload revision",
            ok=(201,),
            refused=_another_draft_in_progress,
            as_person=self.person,
            files={"file": ("procedure.md", text.encode(), "text/markdown")},
            data={"change_summary": "Wording made clearer"},
        )
        if draft is None:
            return
        revision = draft.json()["id"]
        journal(
            kind="revision",
            id=revision,
            document=document,
            author=self.person["username"],
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        approvers = [
            _pick.choice([person for person in QUALITY_MANAGERS if person is not self.person]),
            _pick.choice(AUDITORS),
        ]
        submitted = self.call(
            "POST",
            f"/api/v1/revisions/{revision}/submit/",
            name="API: submit revision",
            as_person=self.person,
            json={"approvers": [approver["id"] for approver in approvers]},
        )
        if submitted is None:
            return
        journal(kind="submission", revision=revision)
        gevent.joinall([gevent.spawn(self.approve, revision, approver) for approver in approvers], raise_error=True)

    def approve(self, revision: int, approver: dict[str, Any]) -> None:
        approved = self.call(
            "POST",
            f"/api/v1/revisions/{revision}/approve/",
            name="API: approve revision (signed)",
            as_person=approver,
            json={"password": PASSWORD, "comment": "Checked under load"},
        )
        if approved is not None:
            journal(kind="approval", revision=revision, approver=approver["username"])

    @task(2)
    def document_page(self) -> None:
        self.call("GET", f"/documents/{_pick.choice(self.documents)}/", name="document page")

    @task(1)
    def document_register(self) -> None:
        self.call("GET", "/documents/", name="document register")


class Auditor(Person):
    weight = 1
    pool = AUDITORS

    def on_start(self) -> None:
        super().on_start()
        self.audits = self.api_ids("/api/v1/audits/?page_size=200", name="API: audits")

    @task(3)
    def audit_register(self) -> None:
        self.call("GET", "/audits/", name="audit register")

    @task(3)
    def audit_page(self) -> None:
        if self.audits:
            self.call("GET", f"/audits/{_pick.choice(self.audits)}/", name="audit page")

    @task(1)
    def findings(self) -> None:
        self.call("GET", "/audits/findings/", name="findings")

    @task(1)
    def my_work(self) -> None:
        self.call("GET", "/", name="my work")
