"""The tamper-evident audit trail: every history row and every signature is sealed into one SHA-256 chain.

- Writing: a history row or signature queues itself (`PendingSeal`) in the transaction that writes it; right after
  that transaction commits, the queue is sealed in order, each seal holding the row's SHA-256 and the hash of the seal
  before it (`chain.py`). Sealing after the commit keeps the chain's lock out of the business transactions, so a
  request never waits on another's seal while holding its record locks. A periodic task seals what a crash left queued.
- Guarding: on PostgreSQL, triggers refuse UPDATE and DELETE on every history table, the signatures and the seals
  (`database.py`).
- Checking: `verify_trail` (`manage.py verify_audit_trail`) walks the chain and names every broken link, every row
  changed or deleted since it was sealed, and every row written around the application (no seal).
  An evidence pack records the chain's head when it is built; verifying the pack later checks that head still ends
  the same chain, which a rewritten trail cannot fake without the pack's manifest changing too.
"""
