"""Scheduled work of the CAPA module (the beat schedule is in qms/settings.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from capa import reminders


# Each digest is claimed by a unique row in the transaction that sends it, so a retry after the database went away
# sends only the digests that were not yet sent.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def send_capa_digests() -> int:
    """Today's CAPA digests: one per person with actions due or overdue, and to quality managers late CAPAs and
    effectiveness checks that fall due. Safe to run twice: nobody gets a second digest the same day."""
    return reminders.send_capa_digests()
