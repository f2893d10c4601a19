"""Build a believable organisation to explore the QMS with: departments and people across every role.

Safe to run again: what exists is left as it is. Each module adds its own demo records here as it lands.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule

from qms import services
from qms.history import stamp
from qms.models import Department, User
from qms.roles import Role

DEFAULT_DEMO_PASSWORD = "quality-demo-2026"  # noqa: S105 - demo accounts only; printed only with DEBUG on

DEPARTMENTS = [
    ("Quality", "QA"),
    ("Production", "PROD"),
    ("Engineering", "ENG"),
    ("Purchasing", "PUR"),
    ("Sales and Customer Service", "SALES"),
    ("Logistics", "LOG"),
    ("Maintenance", "MAINT"),
    ("Human Resources", "HR"),
]

QM, AUD, EMP, EXT = Role.QUALITY_MANAGER, Role.AUDITOR, Role.EMPLOYEE, Role.EXTERNAL_AUDITOR

# username, first name, last name, department code, roles, job title
PEOPLE: list[tuple[str, str, str, str | None, tuple[Role, ...], str]] = [
    ("qm", "Helen", "Carter", "QA", (QM, EMP), "Quality Manager"),
    ("qa.engineer", "Omar", "Haddad", "QA", (QM, AUD, EMP), "Quality Engineer"),
    ("auditor", "Priya", "Nair", "QA", (AUD, EMP), "Lead Internal Auditor"),
    ("auditor2", "Lukas", "Weber", "ENG", (AUD, EMP), "Process Engineer, internal auditor"),
    ("auditor3", "Sofia", "Rossi", "PUR", (AUD, EMP), "Buyer, internal auditor"),
    ("employee", "James", "Okafor", "PROD", (EMP,), "Machine Operator"),
    ("prod.lead", "Maria", "Gonzalez", "PROD", (EMP,), "Production Supervisor"),
    ("prod.op2", "Chen", "Wei", "PROD", (EMP,), "Assembly Technician"),
    ("prod.op3", "Fatima", "Zahra", "PROD", (EMP,), "Quality Inspector"),
    ("prod.op4", "Tom", "Becker", "PROD", (EMP,), "Line Operator"),
    ("eng.lead", "Anna", "Kowalski", "ENG", (EMP,), "Engineering Manager"),
    ("eng.design", "Daniel", "Moreau", "ENG", (EMP,), "Design Engineer"),
    ("eng.process", "Aisha", "Bello", "ENG", (EMP,), "Process Engineer"),
    ("pur.lead", "Robert", "Svensson", "PUR", (EMP,), "Purchasing Manager"),
    ("sales.lead", "Emily", "Turner", "SALES", (EMP,), "Customer Service Manager"),
    ("sales.rep", "Kenji", "Sato", "SALES", (EMP,), "Account Manager"),
    ("log.lead", "Grace", "Mensah", "LOG", (EMP,), "Warehouse Lead"),
    ("log.clerk", "Pedro", "Alves", "LOG", (EMP,), "Shipping Clerk"),
    ("maint.lead", "Ivan", "Petrov", "MAINT", (EMP,), "Maintenance Supervisor"),
    ("maint.tech", "Nora", "Lindqvist", "MAINT", (EMP,), "Maintenance Technician"),
    ("hr.lead", "Claire", "Dubois", "HR", (EMP,), "HR Manager"),
    ("ceo", "Richard", "Hughes", None, (EMP,), "Managing Director"),
    ("external", "Margaret", "Ellis", None, (EXT,), "Certification body auditor"),
    ("external2", "Samuel", "Adeyemi", None, (EXT,), "Customer auditor"),
]


class Command(BaseCommand):
    help = "Create demo departments and people across every role (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="Password for new demo accounts (default: $DEMO_PASSWORD or built-in).")

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's thousands of notifications still appear in the app, but are not mailed: the demo people have no
        # mailboxes, and a console full of them would hide what matters when the app starts.
        with override_settings(NOTIFICATION_EMAILS=False), transaction.atomic():
            self._seed(options)

    def _seed(self, options: dict[str, Any]) -> None:
        import os

        password = options["password"] or os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        departments: dict[str, Department] = {}
        for name, department_code in DEPARTMENTS:
            department = Department.objects.filter(code=department_code).first()
            if department is None:
                department = services.department_save(
                    actor=None, department=Department(name=name, code=department_code), reason="Demo data"
                )
            departments[department_code] = department

        created = 0
        for username, first, last, code, roles, title in PEOPLE:
            if User.objects.filter(username=username).exists():
                continue
            services.user_create(
                actor=None,
                username=username,
                email=f"{username}@example.com",
                password=password,
                roles=[str(role) for role in roles],
                department=departments[code] if code else None,
                first_name=first,
                last_name=last,
                job_title=title,
            )
            created += 1
        if not User.objects.filter(username="admin").exists():
            admin = services.user_create(
                actor=None,
                username="admin",
                email="admin@example.com",
                password=password,
                roles=[],
                first_name="System",
                last_name="Administrator",
            )
            admin.is_staff = admin.is_superuser = True
            stamp(admin, actor=None, reason="Demo administrator: staff and superuser")
            admin.save(update_fields=["is_staff", "is_superuser"])
            created += 1

        quality_manager = User.objects.get(username="qm")
        if not quality_manager.notifications.filter(kind="generic").exists():
            services.notify(
                recipients=[quality_manager],
                kind="generic",
                subject="Welcome to the QMS demo",
                context={"message": "Demo departments and people are ready. Start with the document register."},
                url="/documents/",
            )

        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {created} new accounts, {len(departments)} departments.")
        )
        # Each module adds its own demo records from `<app>/demo.py`: a function `seed(stdout, password)`, the password
        # being the one its stories sign with. The shared base finds them by name instead of importing the modules,
        # which sit on higher floors.
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, "demo"):
                import_module(f"{app_config.name}.demo").seed(self.stdout, password)
        if settings.DEBUG:
            self.stdout.write(
                f"Sign in as qm (quality manager), auditor, employee, external (external auditor) or admin, "
                f"password: {password}"
            )
        else:
            self.stdout.write("DEBUG is off, so the demo password is not printed.")
