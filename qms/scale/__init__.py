"""A large, realistic QMS for benchmarks (`manage.py seed_scale`, GitHub issue #8).

`seed` runs it; `world` holds the reference data (people, departments, types, clauses); `documents`, `audits`,
`capa` and `ideas` generate the rows of each module as its services would have left them, history included; `rows`
hands out ids and builds history rows; `writers` puts the rows in the database (COPY on PostgreSQL, `bulk_create`
elsewhere); `files` keeps the pool of small real files the revisions point at. It sits on the top floor of the
project (style.md), so it reads every app's models.
"""

from qms.scale.seed import MARKER_KEY, SeedRefused, SeedResult, seed_scale

__all__ = ["MARKER_KEY", "SeedRefused", "SeedResult", "seed_scale"]
