"""Evidence packs: one ZIP for a period and a set of clauses, for auditors (spec/domain.md, "Evidence pack").

This module sits on the top floor (style.md): it reads every app through its models and `visible_to()` querysets,
and no app imports it. The model lives here but is registered under the `qms` app (imported at the end of
`qms/models.py`), so the pack needs no app of its own.
"""
