"""The periodic sealing of what a crash left queued (rows are normally sealed right after their commit)."""

from __future__ import annotations

from celery import shared_task

from qms.trail.chain import seal_pending


@shared_task
def seal_queued_rows() -> int:
    return seal_pending()
