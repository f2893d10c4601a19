"""A paginator that does not count a very large list row by row.

`SELECT COUNT(*)` over an unfiltered table of a million documents reads every row (PostgreSQL keeps no row count),
tens of milliseconds on every page of the register. For a table that large, unfiltered, PostgreSQL's own estimate
(`pg_class.reltuples`, kept by autovacuum's ANALYZE) is within a few per cent, which is all "about 1,000,000
documents" and a page count need. A list whose matches are costly to count (a full-text search) may be counted up to a
bound instead ("more than 1,000"). Other lists, smaller tables and SQLite are counted exactly.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet

# Below this many rows an exact count is cheap enough (a few milliseconds) and is what people expect to read.
ESTIMATE_ABOVE = 50_000


def whole_table_count(queryset: QuerySet[Any]) -> tuple[int, bool] | None:
    """(rows, estimated) of an unfiltered queryset's table on PostgreSQL, in the one query an exact count would take:
    the statistics' estimate when it is above ESTIMATE_ABOVE, else the exact count (CASE runs only its branch).
    None when the queryset is filtered, or not on PostgreSQL."""
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator or query.is_sliced:
        return None
    table = queryset.model._meta.db_table
    quoted = connection.ops.quote_name(table)
    sql = (
        f"SELECT CASE WHEN estimate > %s THEN estimate ELSE (SELECT COUNT(*) FROM {quoted}) END, "  # noqa: S608 - the model's own table name; values are parameters
        "estimate > %s FROM "
        "(SELECT COALESCE((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)), 0) AS estimate) s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [ESTIMATE_ABOVE, ESTIMATE_ABOVE, table])
        rows, estimated = cursor.fetchone()
    return int(rows), bool(estimated)


class EstimatedCountPaginator(Paginator):
    """Django's paginator, counting from the table's statistics when the list is a whole, very large table, and only
    up to `count_at_most` when given (then `capped` says there are more)."""

    estimated = False  # True once `count` came from the statistics (`get_page` has always asked for it by then)
    capped = False  # True once `count` stopped at `count_at_most`

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        count_at_most: int | None = None,
        counted: int | None = None,
        **kwargs: Any,
    ) -> None:
        """`counted`: the rows already counted up to `count_at_most` + 1 by whoever made the list (a search)."""
        super().__init__(object_list, per_page, **kwargs)
        self.count_at_most = count_at_most
        self.counted = counted

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        whole_table = whole_table_count(self.object_list)
        if whole_table is not None:
            rows, self.estimated = whole_table
            return rows
        if self.count_at_most is not None:
            counted = self.counted
            if counted is None:
                counted = self.object_list.values("pk")[: self.count_at_most + 1].count()
            self.capped = counted > self.count_at_most
            return min(counted, self.count_at_most)
        return super().count


# Beyond any real list; a larger page number in the address would overflow the database's OFFSET.
LAST_OPEN_ENDED_PAGE = 100_000


class OpenEndedPage:
    """A page of a list too long to count on every view (the training matrix: most documents in force have readers).
    It knows whether another page follows, from one row more than it shows, not how many pages there are."""

    def __init__(self, queryset: QuerySet[Any], number: str | None, per_page: int) -> None:
        asked = int(number) if number and number.isdigit() else 1
        self.number = min(max(asked, 1), LAST_OPEN_ENDED_PAGE)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
