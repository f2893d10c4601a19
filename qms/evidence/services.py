"""Every write of evidence packs: asking for one, and recording its downloads."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

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


def evidence_packs_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the ZIPs of expired packs from storage; the pack records, hashes and history stay, so an auditor can
    still check a copy handed on against them. Safe to run twice: a pack without a file is passed over."""
    now = now or timezone.now()
    deleted = 0
    for pack_id in EvidencePack.objects.filter(expires_at__lte=now).exclude(file="").values_list("pk", flat=True):
        with transaction.atomic():
            pack = EvidencePack.objects.select_for_update().filter(pk=pack_id).exclude(file="").first()
            if pack is None:
                continue
            name = pack.file.name
            pack.file = None
            stamp(pack, actor=None, reason="Expired: the ZIP was deleted; its hashes stay on record")
            pack.save(update_fields=["file"])
            # After the commit: if the transaction rolls back, the file must still be there for the record.
            transaction.on_commit(partial(default_storage.delete, name))
        deleted += 1
    return deleted
