"""Every list of the product, in the browser and in the API, makes as many queries for a page of 12 rows as for a page
of 2: the rule the benchmark checks at 100,000 documents (bench/measure.py, `make bench`), held here by the suite on
a small world made by `seed_scale`. The lists are the benchmark's own: its table of browser lists and every `-list`
route of the API, so a new list is checked without being named here."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.measure import LIST_PAGES, _api_list_paths, _page_size
from qms.models import User

SMALL, LARGE = 2, 12


def _queries(client: Any, path: str, rows: int, *, api: bool) -> tuple[int, int | None]:
    """(queries, rows shown) of the page of `path` with `rows` per page."""
    url = f"{path}?page_size={rows}" if api else path
    with _page_size(rows) as paginators, CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (path, response.status_code)
    if api:
        body = response.json()
        shown: int | None = len(body["results"] if isinstance(body, dict) else body)
    else:
        shown = min(rows, paginators[0].count) if paginators else None
    return len(captured.captured_queries), shown


@pytest.mark.django_db
def test_no_list_asks_more_queries_for_more_rows(client: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_scale", documents=700, password="scale-list-queries", pool_size=12, stdout=StringIO())
    client.force_login(User.objects.get(username="scale-qm"))
    lists = [(path, False) for path in LIST_PAGES.values()] + [(path, True) for path in _api_list_paths()]
    growing, measured = [], 0
    for path, api in lists:
        client.get(path)  # the first request may fill caches (roles, clause catalogue) once
        small, _ = _queries(client, path, SMALL, api=api)
        large, shown = _queries(client, path, LARGE, api=api)
        if shown is not None and shown < LARGE:
            continue  # too few records of this kind in the small world to tell; its own module's tests pin it
        measured += 1
        if large > small:
            growing.append(f"{path}: {small} queries at {SMALL} rows, {large} at {LARGE}")
    assert not growing, "\n".join(growing)
    assert measured >= 15, measured  # documents, revisions, audits, findings, CAPAs, the log, ideas, people …
