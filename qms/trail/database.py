"""PostgreSQL triggers that make the trail append-only: UPDATE and DELETE on a history table, a signature or a seal
are refused by the database itself, whoever connects. (TRUNCATE is left to the tables' owner, which the application's
database role should not be in production; the test suite empties its database with it.)"""

from __future__ import annotations

from typing import Any

from django.db import connections

from qms.trail.chain import trail_models
from qms.trail.models import TrailSeal

FUNCTION = "qms_trail_append_only"
TRIGGER = "qms_trail_append_only"

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def append_only_tables() -> list[str]:
    return sorted({model._meta.db_table for model in trail_models().values()} | {TrailSeal._meta.db_table})


def install_append_only_triggers(using: str = "default", **kwargs: Any) -> None:
    """Create or replace the triggers (a `post_migrate` receiver, so a table added by a later migration gets one)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTION_SQL)
        for table in append_only_tables():
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {connection.ops.quote_name(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
