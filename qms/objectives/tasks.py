"""Background work of quality objectives: computed values, taken from the records outside any request (the beat
schedule is in qms/settings.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from qms.objectives import services
from qms.objectives.models import Objective


# Each value is one row under a unique (objective, day) key, so a retry or a second run adds nothing twice.
@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def record_computed_measurements() -> int:
    """Daily: today's value of every active computed objective."""
    return services.measurements_record_today()


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def backfill_measurements(objective_id: int) -> int:
    """A new computed objective's month-end values since its start, and today's. Quiet when it is gone."""
    objective = Objective.objects.filter(pk=objective_id).first()
    if objective is None:
        return 0
    return services.measurements_backfill(objective=objective)
