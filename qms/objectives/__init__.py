"""Quality objectives (ISO 9001 6.2): a metric, a target, an owner and a due date, measured over time.

An app of its own (label `objectives`) on the top floor, beside the evidence packs: it reads every module, and its
migrations stay with it.
"""
