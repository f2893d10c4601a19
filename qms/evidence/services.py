"""Every write of evidence packs: asking for one, and recording its downloads."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from qms.errors import DomainError, NotAllowed
from qms.evidence.builder import JOB_KIND
from qms.evidence.models import PACK_ROLES, EvidencePack
from qms.evidence.tasks import build_evidence_pack
from qms.history import stamp
from qms.jobs import job_create
from qms.models import Clause, Job, User
from qms.roles import has_role


@transaction.atomic
def evidence_pack_request(
    *, actor: User, period_start: date, period_end: date, clauses: list[str] | None = None
) -> tuple[EvidencePack, Job]:
    """Record a pack for the period and clauses (all of 4 to 10 when none are named) and start its job."""
    if not has_role(actor, *PACK_ROLES):
        raise NotAllowed("Your role does not allow evidence packs.")
    if period_start > period_end:
        raise DomainError("The period must start before it ends.")
    numbers = sorted(set(clauses or []))
    known = set(Clause.objects.filter(number__in=numbers).values_list("number", flat=True))
    unknown = [number for number in numbers if number not in known]
    if unknown:
        raise DomainError(f"Unknown clauses: {', '.join(unknown)}")
    pack = EvidencePack(created_by=actor, period_start=period_start, period_end=period_end, clauses=numbers)
    stamp(pack, actor=actor, reason="Evidence pack requested")
    pack.save()
    job = job_create(actor=actor, kind=JOB_KIND, subject=pack, task=build_evidence_pack)
    pack.job = job
    stamp(pack, actor=actor, reason="Evidence pack job started")
    pack.save(update_fields=["job"])
    return pack, job


@transaction.atomic
def evidence_pack_record_download(*, actor: User, pack: EvidencePack) -> EvidencePack:
    """Count a download and record who took it in the pack's history; refuse an expired or unfinished pack."""
    locked = EvidencePack.objects.select_for_update().get(pk=pack.pk)
    if not locked.file:
        raise DomainError("The evidence pack is not ready yet.")
    if locked.expired:
        raise DomainError("The evidence pack has expired; ask for a new one.")
    locked.downloads += 1  # the row is locked: a plain increment is safe, and the history row gets the number
    stamp(locked, actor=actor, reason=f"Downloaded by {actor.get_username()}")
    locked.save(update_fields=["downloads"])
    return locked
