"""Numbers that are never reused (SOP-0007, CAPA-0012, IA-2026-004): one counter row per key, taken under a lock.

Counting existing records instead would hand out a number again after a failed save or under concurrency.
"""

from django.db import transaction

from qms.models import Sequence


def next_value(key: str) -> int:
    """The next number for `key`, unique even when two requests ask at the same moment."""
    with transaction.atomic():
        Sequence.objects.get_or_create(key=key)  # a concurrent first call is absorbed by get_or_create's retry
        sequence = Sequence.objects.select_for_update().get(key=key)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
        return sequence.last_value


def at_least(key: str, value: int) -> None:
    """Make sure `key` hands out numbers after `value` (a number kept from an earlier system, say SOP-0120)."""
    with transaction.atomic():
        Sequence.objects.get_or_create(key=key)
        sequence = Sequence.objects.select_for_update().get(key=key)
        if sequence.last_value < value:
            sequence.last_value = value
            sequence.save(update_fields=["last_value"])
