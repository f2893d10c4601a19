"""Loaded into a test's Celery worker (`celery worker --include tests.qms.hang_before_publishing`) to hold it at one
exact point, so the test can kill it there: after a transaction has committed and before the task it queued reaches
the broker (Celery sends `before_task_publish` just before the message goes out).

A process killed at that point is the case the outbox exists for (`qms.outbox`); no timing could land a kill in so
short a window reliably. The worker holds once, at the Nth publishing of the task named in its environment, and writes
the marker file when it does: the test waits for the file, and a replacement process sees it and does not hold again.
Without HANG_BEFORE_PUBLISHING_TASK in the environment, the module does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import before_task_publish

_TASK = os.environ.get("HANG_BEFORE_PUBLISHING_TASK", "")
_AT = int(os.environ.get("HANG_BEFORE_PUBLISHING_AT", "1"))
_MARKER = Path(os.environ.get("HANG_BEFORE_PUBLISHING_MARKER", "/nonexistent"))
_published = 0


@before_task_publish.connect
def _hang_at_the_chosen_publishing(sender: str | None = None, **kwargs: Any) -> None:
    global _published
    if not _TASK or sender != _TASK or _MARKER.exists():
        return
    _published += 1
    if _published < _AT:
        return
    _MARKER.write_text(str(os.getpid()))
    time.sleep(600)  # until the test kills this process; bounded, should the test die first
