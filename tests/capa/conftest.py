"""CAPA tests reuse the audit fixtures: an audit in progress with its lead auditor, team and auditee."""

from tests.audits.conftest import auditee, co_auditor, in_progress, lead, planned, production  # noqa: F401
