"""The clock, turned back for the demo: the services run as if on an earlier day.

The CAPA services stamp every record, history row, signature and notification with `timezone.now()` and refuse due
dates in the past, as they must. A demo in which every CAPA was opened a minute ago shows no ages, no overdue actions
and no "has this happened before?". So the demo takes each step of its stories through the real services with the
clock set to the day the step happens in the story (time-machine moves the process's clock; nothing is written around
the services or edited afterwards).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Within the block the clock starts from `moment` and runs on from there."""
    with time_machine.travel(moment, tick=True):
        yield
