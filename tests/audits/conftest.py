"""Fixtures for internal audits: an audited department, auditors from elsewhere, and audits in each state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audits import services
from audits.models import Audit
from qms.models import Clause
from tests.conftest import PASSWORD
from tests.qms.factories import DepartmentFactory, UserFactory


@pytest.fixture
def production(db: None) -> Any:
    return DepartmentFactory(name="Production", code="PROD")


@pytest.fixture
def lead(db: None) -> Any:
    return UserFactory(
        username="lead.auditor",
        password=PASSWORD,
        roles=["auditor", "employee"],
        first_name="Priya",
        last_name="Nair",
        department=DepartmentFactory(name="Quality", code="QA"),
    )


@pytest.fixture
def co_auditor(db: None) -> Any:
    return UserFactory(
        username="co.auditor",
        password=PASSWORD,
        roles=["auditor", "employee"],
        department=DepartmentFactory(name="Purchasing", code="PUR"),
    )


@pytest.fixture
def auditee(production: Any) -> Any:
    return UserFactory(username="line.lead", password=PASSWORD, roles=["employee"], department=production)


@pytest.fixture
def planned(quality_manager: Any, lead: Any, co_auditor: Any, auditee: Any, production: Any) -> Audit:
    start = timezone.localdate() + timedelta(days=10)
    return services.audit_create(
        actor=quality_manager,
        title="Production control",
        scope="Filling lines 1 and 2, all shifts",
        clauses=Clause.objects.filter(number__in=["8.5.1", "8.7"]),
        lead_auditor=lead,
        team=[co_auditor],
        auditees=[auditee],
        department=production,
        planned_start=start,
        planned_end=start + timedelta(days=1),
    )


@pytest.fixture
def in_progress(planned: Audit, lead: Any) -> Audit:
    return services.audit_start(actor=lead, audit=planned)
