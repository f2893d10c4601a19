"""A reporting period as two dates, shared by the views across modules (evidence packs, dashboards, reviews)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """A period as dates, both included, and as the aware instants that bound it (the end is exclusive)."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"
