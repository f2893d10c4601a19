"""Signals that let higher floors react to document control without documents knowing them (spec: style, floors).

`revision_became_effective` is sent inside the transaction that makes a revision effective, so a receiver's writes
(a CAPA action completed by the revision) commit or roll back with it.
"""

from django.dispatch import Signal

revision_became_effective = Signal()  # sender=Revision, revision=<Revision>
