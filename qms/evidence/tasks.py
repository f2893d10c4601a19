"""Background work of evidence packs."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from qms.evidence.builder import build_pack
from qms.jobs import run_job


# `run_job` records every failure of the work on the job; only the database can still raise here.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def build_evidence_pack(job_id: int) -> None:
    """Build a pack's ZIP. Safe to run twice: `run_job` leaves a done job alone."""
    run_job(job_id, build_pack)


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def delete_expired_evidence_packs() -> int:
    """Daily: the ZIPs of expired packs leave storage (see `evidence_packs_delete_expired`)."""
    from qms.evidence.services import evidence_packs_delete_expired  # services import this module's task

    return evidence_packs_delete_expired()
