"""API fuzzing: Schemathesis generates requests from the served OpenAPI schema (/api/schema/) and checks the answers.

Every operation is called with a token of each role, with valid and invalid data, and each answer must be no server
error, a status code, content type and body the schema documents, a 4xx for data the schema rejects, and a refusal when
the token is taken away or replaced. It runs in-process against the WSGI application and the test database; the few
Celery jobs that operations start run eagerly (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from audits import services as audit_services
from qms.wsgi import application
from tests.audits.conftest import auditee, co_auditor, in_progress, lead, planned, production  # noqa: F401
from tests.capa.conftest import implementing, open_capa  # noqa: F401
from tests.documents.conftest import _media_in_tmp, document, draft, sop_type  # noqa: F401
from tests.improvement.conftest import idea  # noqa: F401

ROLES = ["quality_manager", "auditor", "employee", "external_auditor", "outsider"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]
# Schemathesis calls the application as http://localhost.
HOSTS = ["localhost", "testserver"]

_CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {
            # The schema's own examples and random data; the coverage phase walks every boundary of every field and
            # alone would take several minutes, and the stateful phase needs links the schema does not declare.
            "examples": {"enabled": True},
            "fuzzing": {"enabled": True},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all"},
    }
)


# Loaded once, when the module is collected: generating the schema reads no table.
with override_settings(ALLOWED_HOSTS=HOSTS):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=_CONFIG)


def _finding(request: pytest.FixtureRequest) -> int:
    audit = request.getfixturevalue("in_progress")
    item = audit.checklist_items.first()
    finding = audit_services.finding_create(
        actor=request.getfixturevalue("lead"),
        audit=audit,
        type="minor_nc",
        clause=item.clause,
        statement="The cleaning log misses two batch changes.",
        checklist_item=item,
    )
    return finding.pk


# A record for the `{id}` of the operations under each path, made the first time a test asks for it: an id drawn at
# random names no record, and the operation would answer nothing but 404.
_RECORDS = {
    "users": lambda request: request.getfixturevalue("employee").pk,
    "departments": lambda request: request.getfixturevalue("employee").department_id,
    "documents": lambda request: request.getfixturevalue("document").pk,
    "revisions": lambda request: request.getfixturevalue("draft").pk,
    "audits": lambda request: request.getfixturevalue("in_progress").pk,
    "checklist-items": lambda request: request.getfixturevalue("in_progress").checklist_items.first().pk,
    "findings": _finding,
    "capas": lambda request: request.getfixturevalue("implementing")[0].pk,
    "capa-actions": lambda request: request.getfixturevalue("implementing")[1].pk,
    "ideas": lambda request: request.getfixturevalue("idea").pk,
}
_this_test: dict[str, Any] = {}


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    """An integer `id` becomes the record seeded for the operation's path; anything else (a negative case) stays."""
    resource = context.operation.path.removeprefix("/api/v1/").split("/")[0]
    make = _RECORDS.get(resource)
    drawn = (path_parameters or {}).get("id")
    if make is None or not isinstance(drawn, int) or isinstance(drawn, bool):
        return path_parameters
    records = _this_test["records"]
    if resource not in records:
        records[resource] = make(_this_test["request"])
    return {**(path_parameters or {}), "id": records[resource]}


@pytest.fixture(autouse=True)
def _seeded_on_demand(request: pytest.FixtureRequest) -> Iterator[None]:
    _this_test.update(request=request, records={})
    yield
    _this_test.clear()


@pytest.fixture(autouse=True)
def _connection_kept_open() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself, whose end of a request closes the database connection; that
    would close the test's transaction too. Django's own test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, settings: Any) -> str:
    settings.ALLOWED_HOSTS = HOSTS
    user = request.getfixturevalue(request.param)
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
