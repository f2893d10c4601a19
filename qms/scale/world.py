"""The reference data a seeded QMS stands on, and everything the generators look up while they write.

Reference data (departments, people, document types, audit programmes, the clause catalogue) is a few hundred rows,
so it is written through the ORM with history, the way the services write it, and then only read. The people are not
made by `qms.services.user_create`: it hashes each password (PBKDF2, about half a second) and checks it against the
password rules, which would make seeding the few hundred accounts the slowest step. They get one shared hash instead.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from audits.models import Audit, AuditProgramme
from capa.models import Capa
from documents.models import Document, DocumentType, Revision
from qms import services
from qms.clauses import read_catalogue
from qms.history import stamp
from qms.models import Clause, Department, Sequence, Signature, User, clause_sort_key
from qms.roles import Role
from qms.scale.files import PoolFile
from qms.scale.rows import Ids, Row, Rows
from qms.scale.vocabulary import FIRST_NAMES, LAST_NAMES, Vocabulary

USERNAME_PREFIX = "scale-"
QUALITY_MANAGER_USERNAME = "scale-qm"
EMPLOYEE_USERNAME = "scale-employee"
YEARS = 10
PLAN_AHEAD_DAYS = 60

DEPARTMENTS = [
    ("Quality Assurance", "S-QA"),
    ("Production Line 1", "S-PL1"),
    ("Production Line 2", "S-PL2"),
    ("Production Line 3", "S-PL3"),
    ("Machining", "S-MACH"),
    ("Assembly", "S-ASSY"),
    ("Paint Shop", "S-PAINT"),
    ("Engineering", "S-ENG"),
    ("Process Engineering", "S-PENG"),
    ("Purchasing", "S-PUR"),
    ("Supplier Quality", "S-SQ"),
    ("Sales", "S-SALES"),
    ("Customer Service", "S-CS"),
    ("Logistics", "S-LOG"),
    ("Warehouse", "S-WH"),
    ("Maintenance", "S-MAINT"),
    ("Human Resources", "S-HR"),
    ("IT", "S-IT"),
    ("Laboratory", "S-LAB"),
    ("Health, Safety and Environment", "S-HSE"),
]
# Beyond the six every QMS starts with (documents/migrations/0002): the kinds a manufacturer adds.
EXTRA_DOCUMENT_TYPES = [("SPEC", "Specification", 24), ("CP", "Control plan", 12), ("TRN", "Training material", 24)]
# How often each type is drawn: work instructions and forms outnumber manuals by far.
TYPE_WEIGHTS = {"MAN": 1, "POL": 2, "SOP": 20, "WI": 35, "FRM": 20, "REC": 8, "SPEC": 8, "CP": 4, "TRN": 2}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    department_id: int | None
    roles: frozenset[str]


@dataclass
class World:
    """Everything the generators read: people, departments, types, clauses, content types, numbers and time."""

    rng: random.Random
    vocabulary: Vocabulary
    ids: Ids
    pool: list[PoolFile]
    now: datetime
    start: datetime
    people: list[Person]
    departments: list[int]
    types: list[tuple[int, str, int]]
    type_weights: list[int]
    clauses: list[tuple[int, str, str]]
    employee_group: int
    content_types: dict[str, int]
    programmes: dict[int, int]
    sequences: dict[str, int]
    members: dict[int | None, list[Person]] = field(default_factory=dict)
    quality_managers: list[Person] = field(default_factory=list)
    auditors: list[Person] = field(default_factory=list)
    approvers: list[Person] = field(default_factory=list)
    staff: list[Person] = field(default_factory=list)
    changed_sequences: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        members: dict[int | None, list[Person]] = defaultdict(list)
        for person in self.people:
            if Role.EMPLOYEE in person.roles:
                members[person.department_id].append(person)
        self.members = dict(members)
        self.staff = [person for person in self.people if Role.EMPLOYEE in person.roles]
        self.quality_managers = [person for person in self.people if Role.QUALITY_MANAGER in person.roles]
        self.auditors = [person for person in self.people if Role.AUDITOR in person.roles]
        # Approvers are the quality staff and a few senior people per department (about one in six).
        self.approvers = self.quality_managers + [person for person in self.staff if person.id % 6 == 0]

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def next_number(self, key: str) -> int:
        value = self.sequences.get(key, 0) + 1
        self.sequences[key] = value
        self.changed_sequences.add(key)
        return value

    def take_changed_sequences(self) -> list[str]:
        """The sequence keys handed out from since the last call, to be written with the chunk."""
        keys = sorted(self.changed_sequences)
        self.changed_sequences.clear()
        return keys

    def moment(self, earliest: datetime, latest: datetime) -> datetime:
        """A random moment between two others, at a whole second (history shows seconds)."""
        span = max((latest - earliest).total_seconds(), 0.0)
        return (earliest + timedelta(seconds=self.rng.random() * span)).replace(microsecond=0)

    def after(self, moment: datetime, *, max_days: float, min_days: float = 0.0) -> datetime:
        """A moment some days after another, never past now."""
        days = min_days + self.rng.random() * (max_days - min_days)
        return min(moment + timedelta(days=days), self.now).replace(microsecond=0)

    def member_of(self, department_id: int | None) -> Person:
        return self.rng.choice(self.members.get(department_id) or self.staff)

    def someone_else(self, people: list[Person], *, than: set[int]) -> Person:
        """Someone from `people` who is none of `than` (an approver who is not the author, say)."""
        for _ in range(20):
            person = self.rng.choice(people)
            if person.id not in than:
                return person
        return next(person for person in people if person.id not in than)


def ensure_reference_data(*, password: str, users: int, now: datetime) -> None:
    """Create what is missing: the clause catalogue, document types, departments, people and programmes."""
    _ensure_clauses()
    _ensure_document_types()
    departments = _ensure_departments(now)
    _ensure_people(departments, password=password, count=users, now=now)
    # Audits are planned up to two months ahead (qms.scale.audits), so next year's programme may be needed too.
    for year in range(now.year - YEARS, (now + timedelta(days=PLAN_AHEAD_DAYS)).year + 1):
        if not AuditProgramme.objects.filter(year=year).exists():
            programme = AuditProgramme(year=year, objectives=f"Audit every process at least once in {year}.")
            stamp(programme, actor=None, reason="Audit programme set up")
            programme._history_date = datetime(year, 1, 2, 9, tzinfo=now.tzinfo)  # type: ignore[attr-defined]
            programme.save()


def _ensure_clauses() -> None:
    """The catalogue is loaded by a migration; a database emptied by hand (or by a test) may have lost it."""
    if Clause.objects.exists():
        return
    by_number: dict[str, Clause] = {}
    for row in read_catalogue():
        clause = Clause(
            number=row.number,
            title=row.title,
            parent=by_number.get(row.parent) if row.parent else None,
            documented_information=row.documented_information,
            sort_key=clause_sort_key(row.number),
        )
        stamp(clause, actor=None, reason="Clause catalogue loaded")
        clause.save()
        by_number[row.number] = clause


def _ensure_document_types() -> None:
    standard = import_module("documents.migrations.0002_document_types_and_search_index").TYPES
    for code, name, months in [*standard, *EXTRA_DOCUMENT_TYPES]:
        if not DocumentType.objects.filter(code=code).exists():
            document_type = DocumentType(code=code, name=name, default_review_period_months=months)
            stamp(document_type, actor=None, reason="Document type added by seed_scale")
            document_type.save()


def _ensure_departments(now: datetime) -> list[Department]:
    departments = []
    for name, code in DEPARTMENTS:
        department = Department.objects.filter(code=code).first()
        if department is None:
            department = Department(name=name, code=code)
            department._history_date = now - timedelta(days=365 * YEARS + 30)  # type: ignore[attr-defined]
            department = services.department_save(actor=None, department=department, reason="Department set up")
        departments.append(department)
    return departments


def _ensure_people(departments: list[Department], *, password: str, count: int, now: datetime) -> None:
    """The two known accounts the benchmark signs in with, then staff up to `count` seeded people in all."""
    existing = set(User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True))
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    for name in Role.values:
        if name not in groups:
            groups[name] = Group.objects.get_or_create(name=name)[0]
    password_hash = make_password(password)
    rng = random.Random("scale-people")  # noqa: S311 - repeatable names, not secrets
    quality = departments[0]
    wanted: list[tuple[str, str, str, Department | None, tuple[str, ...], str]] = [
        (
            QUALITY_MANAGER_USERNAME,
            "Quinn",
            "Manager",
            quality,
            (Role.QUALITY_MANAGER, Role.EMPLOYEE),
            "Quality Manager",
        ),
        (EMPLOYEE_USERNAME, "Evan", "Employee", departments[1], (Role.EMPLOYEE,), "Machine Operator"),
    ]
    for index in range(max(count - 2, 0)):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{USERNAME_PREFIX}{first.lower()}.{last.lower()}.{index:03d}"
        department: Department | None = departments[index % len(departments)]
        roles: tuple[str, ...] = (Role.EMPLOYEE,)
        title = rng.choice(["Operator", "Technician", "Engineer", "Inspector", "Planner", "Coordinator"])
        if index % 40 == 0:
            roles, title, department = (Role.QUALITY_MANAGER, Role.EMPLOYEE), "Quality Engineer", quality
        elif index % 12 == 1:
            roles, title = (Role.AUDITOR, Role.EMPLOYEE), f"{title}, internal auditor"
        elif index % 97 == 5:
            roles, title, department = (Role.EXTERNAL_AUDITOR,), "Certification body auditor", None
        wanted.append((username, first, last, department, roles, title))
    for username, first, last, department, roles, title in wanted:
        if username in existing:
            continue
        joined = (now - timedelta(days=365 * YEARS + rng.randint(0, 25))).replace(microsecond=0)
        user = User(
            username=username,
            email=f"{username}@example.com",
            first_name=first,
            last_name=last,
            department=department,
            job_title=title,
            password=password_hash,
            date_joined=joined,
        )
        user._history_date = joined  # type: ignore[attr-defined]
        stamp(user, actor=None, reason="Account created")
        user.save()
        stamp(user, actor=None, reason=f"Roles set to {', '.join(sorted(roles))}")
        user.groups.set([groups[role] for role in roles])


def load_world(*, rng: random.Random, ids: Ids, pool: list[PoolFile], now: datetime) -> World:
    people = [
        Person(
            id=user.pk,
            name=user.display_name,
            department_id=user.department_id,
            roles=frozenset(group.name for group in user.groups.all()),
        )
        for user in User.objects.filter(username__startswith=USERNAME_PREFIX, is_active=True)
        .prefetch_related("groups")
        .order_by("pk")
    ]
    department_ids = sorted(
        Department.objects.filter(code__in=[code for _, code in DEPARTMENTS]).values_list("pk", flat=True)
    )
    types = [
        (pk, code, months)
        for pk, code, months in DocumentType.objects.filter(is_active=True, code__in=TYPE_WEIGHTS)
        .order_by("code")
        .values_list("pk", "code", "default_review_period_months")
    ]
    clauses = list(Clause.objects.order_by("sort_key").values_list("pk", "number", "title"))
    # The catalogue's leaves (7.5.3.2) make better audit criteria and document links than chapter headings (7).
    leaves = [clause for clause in clauses if "." in clause[1]] or clauses
    content_types = {
        label: ContentType.objects.get_for_model(model).pk
        for label, model in (("revision", Revision), ("document", Document), ("audit", Audit), ("capa", Capa))
    }
    return World(
        rng=rng,
        vocabulary=Vocabulary(rng),
        ids=ids,
        pool=pool,
        now=now,
        start=now - timedelta(days=365 * YEARS),
        people=people,
        departments=department_ids,
        types=types,
        type_weights=[TYPE_WEIGHTS[code] for _, code, _ in types],
        clauses=leaves,
        employee_group=Group.objects.get(name=Role.EMPLOYEE).pk,
        content_types=content_types,
        programmes=dict(AuditProgramme.objects.values_list("year", "pk")),
        sequences=dict(Sequence.objects.values_list("key", "last_value")),
    )


def add_signature(
    world: World,
    rows: Rows,
    signer: Person,
    record: Row,
    kind: str,
    *,
    at: datetime,
    meaning: str,
    content_sha256: str,
    comment: str = "",
) -> Row:
    """A signature row as qms.signatures writes one: who signed, when, what it means, the digest of what was signed,
    and the record (`kind` names its content type in `world.content_types`)."""
    return rows.add(
        Signature,
        signer_id=signer.id,
        signer_name=signer.name,
        signed_at=at,
        meaning=meaning,
        content_sha256=content_sha256,
        comment=comment,
        content_type_id=world.content_types[kind],
        object_id=record["id"],
    )
