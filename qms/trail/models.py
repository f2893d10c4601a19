"""The links of the audit trail's chain, and the rows waiting for one (see `qms.trail`)."""

from __future__ import annotations

from django.db import models

HEX64 = r"^[0-9a-f]{64}$"


class TrailSeal(models.Model):
    """One link of the chain: a history row or signature (`record_model`, `record_id`), the SHA-256 of its values,
    and the SHA-256 of this link, which covers the link before it.

    Appended only by `qms.trail.chain`; on PostgreSQL a trigger refuses UPDATE and DELETE. No history of its own: it
    is the history's seal, and only ever inserted.
    """

    sealed_at = models.DateTimeField()
    record_model = models.CharField(max_length=100)
    record_id = models.BigIntegerField()
    record_sha256 = models.CharField(max_length=64)
    # Unique: two links after the same one would be a fork; the chain is one line.
    previous_sha256 = models.CharField(max_length=64, unique=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["record_model", "record_id"], name="trail_seal_one_per_row"),
            models.CheckConstraint(
                condition=models.Q(record_sha256__regex=HEX64, previous_sha256__regex=HEX64, sha256__regex=HEX64),
                name="trail_seal_hashes_are_hex",
            ),
        ]

    def __str__(self) -> str:
        return f"Seal #{self.pk} of {self.record_model} {self.record_id}"


class PendingSeal(models.Model):
    """A history row or signature written in a transaction that has not been sealed yet. Queued in the same
    transaction as the row, and sealed right after it commits (or by the periodic task if that failed)."""

    record_model = models.CharField(max_length=100)
    record_id = models.BigIntegerField()

    # No history: a work queue, emptied as it is sealed.

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["record_model", "record_id"], name="pending_seal_one_per_row"),
        ]

    def __str__(self) -> str:
        return f"{self.record_model} {self.record_id}, awaiting its seal"
