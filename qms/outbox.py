"""Follow-up work handed to Celery once a transaction commits, and never lost when the broker is down.

`enqueue_on_commit(task, *args)` is how every service queues work (an email, a report, a backfill). It writes a
`QueuedTask` row in the service's own transaction; once that commits, the message goes to the broker and the row is
deleted. When Redis cannot be reached the request still succeeds (the record is saved; a `delay_on_commit` would have
raised after the commit and shown a server error for work that was done): the row stays, and `publish_waiting`, run by
beat every minute, hands it over when the broker is back. The same sweep covers a process that died between the commit
and the hand-over.

A task may therefore run twice (a process can die after the hand-over and before the row is deleted); every task is
safe to run twice, as the style asks (a job row is claimed, an email is marked sent, a reminder is claimed per period).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from qms.models import QueuedTask

logger = logging.getLogger(__name__)

# A row younger than this may belong to a transaction that has just committed and is handing it over right now;
# the sweep leaves it alone so the same message is not published twice in the ordinary case.
SWEEP_AFTER = timedelta(minutes=1)
_ERROR_LENGTH = QueuedTask._meta.get_field("last_error").max_length or 200


def enqueue_on_commit(task: Task[..., Any], *args: Any) -> None:
    """Queue `task(*args)` to run once the surrounding transaction commits. The arguments must be JSON values (ids)."""
    queued = QueuedTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(partial(_hand_over, queued.pk, task, list(args)))


def publish_waiting(*, older_than: timedelta = SWEEP_AFTER, limit: int = 1000) -> int:
    """Hand the broker the queued tasks that were left behind, oldest first; return how many went.

    Stops at the first failure: the broker is still unreachable and the rest would fail the same way.
    """
    cutoff = timezone.now() - older_than
    published = 0
    with transaction.atomic():
        # Two sweeps at once (a slow one overlapping the next minute's) take different rows instead of both publishing.
        waiting = QueuedTask.objects.select_for_update(skip_locked=True).filter(created_at__lte=cutoff)[:limit]
        for queued in waiting:
            task = current_app.tasks.get(queued.task)
            if task is None:
                # A task renamed or removed by an upgrade: kept, with the reason, for an administrator to look at.
                _record_failure(queued.pk, f"No task is registered under the name {queued.task!r}.")
                continue
            if not _hand_over(queued.pk, task, queued.args):
                break
            published += 1
    if published:
        logger.info("Handed %s queued task(s) to the broker after a delay", published)
    return published


def _hand_over(queued_id: int, task: Task[..., Any], args: list[Any]) -> bool:
    try:
        task.apply_async(tuple(args))
    except BrokerUnreachable as error:
        logger.warning("The broker is unreachable; %s%r stays queued: %s", task.name, tuple(args), error)
        _record_failure(queued_id, str(error))
        return False
    QueuedTask.objects.filter(pk=queued_id).delete()
    return True


def _record_failure(queued_id: int, error: str) -> None:
    QueuedTask.objects.filter(pk=queued_id).update(attempts=F("attempts") + 1, last_error=error[:_ERROR_LENGTH])
