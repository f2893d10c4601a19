"""The benchmark's measurements made inside Django (run by bench/run.py as `python bench/measure.py <step>`).

Each step prints one JSON line on stdout, prefixed `BENCH `, that run.py reads:

- `prepare`: logs the benchmark users in and says what the load test asks for (session cookies, an API token, the
  pages' paths, a sample of documents and search words drawn from the data);
- `queries`: every list page and API list at 1 and at 50 rows: the number of SQL queries (they must be equal), and the
  plan of each of those queries (`EXPLAIN`), naming any sequential scan of a big table;
- `search`: the document register's search, as the register runs it (first page and count), timed per query;
- `costs`: the pages under load, each served in this one process by Django's test client, one request at a time:
  milliseconds per request and how many of them were spent in SQL, beside the bare view's. A page's share of the
  machine's CPU bounds its throughput under any load, so this says why a page is as fast as it is under load.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from capa.models import Capa  # noqa: E402
from documents.models import Document  # noqa: E402
from documents.search import RANKED_AT_MOST, search_counted  # noqa: E402
from documents.selectors import documents_for_list  # noqa: E402
from improvement.models import Idea  # noqa: E402
from qms import two_factor  # noqa: E402
from qms.models import User  # noqa: E402
from qms.pagination import EstimatedCountPaginator  # noqa: E402

QUALITY_MANAGER = "scale-qm"
EMPLOYEE = "scale-employee"

# The browser's list pages: each is paginated with Django's Paginator (so its page size can be set for the 1-row
# and 50-row measurements) or, for the board and "my work", shows a bounded number of cards.
LIST_PAGES = {
    "document register": "/documents/",
    "my work": "/",
    "CAPA register": "/capa/",
    "idea board": "/improvement/board/",
    "training matrix": "/documents/training/",
    "idea register": "/improvement/ideas/",
    "nonconformity log": "/capa/nonconformities/",
    "audit programme": "/audits/",
    "findings": "/audits/findings/",
    "users": "/users/",
    "notifications": "/notifications/",
    "quality objectives": "/objectives/",
    "management reviews": "/management-reviews/",
    "evidence packs": "/evidence-packs/",
}
# A table this big is one where a sequential scan costs: the plans are checked for scans of these.
BIG_TABLE_ROWS = 10_000


def emit(result: dict[str, Any]) -> None:
    print("BENCH " + json.dumps(result), flush=True)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _signed_in(user: User) -> Client:
    """A client signed in as `user`, with the authenticator code given when the user has to give one (quality
    managers must): without it every page would be the redirect to the two-factor page, and measured as such."""
    client = Client()
    client.force_login(user)
    if two_factor.required_for(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="benchmark", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[two_factor.HAS_DEVICE] = True
        session.save()
    return client


def _session_cookie(user: User) -> str:
    client = _signed_in(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _search_words(count: int, seed: int = 8) -> list[str]:
    """Words people would search for: drawn from the titles of a random sample of documents."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT title FROM documents_document TABLESAMPLE SYSTEM (1) LIMIT 2000")
        titles = [row[0] for row in cursor.fetchall()]
        if len(titles) < 200:  # a small table's 1 % sample may be empty
            cursor.execute("SELECT title FROM documents_document ORDER BY random() LIMIT 2000")
            titles = [row[0] for row in cursor.fetchall()]
    words = sorted({word.lower() for title in titles for word in title.split() if len(word) > 3 and word.isalpha()})
    rng = random.Random(seed)
    picked = rng.sample(words, min(count, len(words)))
    # Two-word searches too, as people type them.
    return picked + [f"{a} {b}" for a, b in zip(picked[::2], picked[1::2], strict=False)][: count // 4]


def _sample_ids(queryset: Any, count: int) -> list[int]:
    return list(queryset.order_by("?").values_list("pk", flat=True)[:count])


def prepare() -> None:
    manager, employee = _user(QUALITY_MANAGER), _user(EMPLOYEE)
    token, _ = Token.objects.get_or_create(user=manager)
    words = _search_words(40)
    documents = _sample_ids(Document.objects.filter(status=Document.Status.EFFECTIVE), 50)
    emit(
        {
            "cookies": {"quality_manager": _session_cookie(manager), "employee": _session_cookie(employee)},
            "token": f"Token {token.key}",
            "targets": {
                "document register": ["/documents/"],
                "document API list": ["/api/v1/documents/"],
                "search": [f"/documents/?q={word.replace(' ', '+')}" for word in words],
                "document page": [f"/documents/{pk}/" for pk in documents],
                "my work": ["/"],
                "CAPA register": ["/capa/"],
                "idea board": ["/improvement/board/"],
            },
            "counts": {
                "documents": Document.objects.count(),
                "capas": Capa.objects.count(),
                "ideas": Idea.objects.count(),
            },
        }
    )


@contextmanager
def _page_size(rows: int) -> Iterator[list[Paginator]]:
    """Every Paginator shows `rows` per page: how the 1-row and 50-row pages are made without touching the views.
    Yields the paginators made, so the rows a page showed can be told."""
    original = Paginator.__init__
    made: list[Paginator] = []

    def sized(self: Paginator, object_list: Any, per_page: Any, *args: Any, **kwargs: Any) -> None:
        original(self, object_list, rows, *args, **kwargs)
        made.append(self)

    with mock.patch.object(Paginator, "__init__", sized):
        yield made


def _api_list_paths() -> list[str]:
    """Every list endpoint of the API: the router's `<name>-list` routes that take no argument."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list") and namespace == "api":
                route = prefix + str(pattern.pattern)
                if "<" not in route and "(?P" not in route:
                    found.append("/" + route.lstrip("^").rstrip("$").replace("\\.", ".").replace("^", ""))

    walk(get_resolver().url_patterns, "", "")
    return sorted({path for path in found if "format" not in path})


def _big_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples >= %s AND relnamespace = "
            "'public'::regnamespace",
            [BIG_TABLE_ROWS],
        )
        return {row[0] for row in cursor.fetchall()}


def _sequential_scans(plan: dict[str, Any], big: set[str]) -> list[str]:
    scans = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in big:
        scans.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        scans += _sequential_scans(child, big)
    return scans


def _explain(sql: str, big: set[str]) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]["Plan"]
    return {"sql": sql[:300], "cost": plan["Total Cost"], "seq_scans": sorted(set(_sequential_scans(plan, big)))}


def _measure_page(client: Client, path: str, big: set[str], api: bool) -> dict[str, Any]:
    """Queries at 1, 25 and 50 rows. A list whose rows have no related records of some kind skips that prefetch,
    so on sparse data the 1-row page may make fewer queries; growth between 25 and 50 rows is always a defect."""
    counts, shown, plans, statuses = {}, {}, [], set()
    for rows in (1, 25, 50):
        url = f"{path}?page_size={rows}" if api else path
        with _page_size(rows) as paginators, CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_ACCEPT="application/json" if api else "text/html")
        statuses.add(response.status_code)
        counts[rows] = len(captured.captured_queries)
        if api and response.status_code == 200:
            body = response.json()
            shown[rows] = len(body["results"] if isinstance(body, dict) else body)  # a few small lists are unpaged
        elif paginators:
            shown[rows] = min(rows, paginators[0].count)
        if rows == 50:
            selects = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
            plans = [_explain(sql, big) for sql in selects]
    scans = sorted({table for plan in plans for table in plan["seq_scans"]})
    return {
        "path": path,
        "status": sorted(statuses),
        "rows_shown": shown.get(50),
        "queries_1_row": counts[1],
        "queries_25_rows": counts[25],
        "queries_50_rows": counts[50],
        "equal": counts[1] == counts[50],
        "grows": counts[50] > counts[25],
        "seq_scans_on_big_tables": scans,
        "slowest_plans": sorted(plans, key=lambda plan: -plan["cost"])[:3],
    }


def queries() -> None:
    big = _big_tables()
    client = _signed_in(_user(QUALITY_MANAGER))
    pages = {name: _measure_page(client, path, big, api=False) for name, path in LIST_PAGES.items()}
    api = {path: _measure_page(client, path, big, api=True) for path in _api_list_paths()}
    emit({"big_tables": sorted(big), "pages": pages, "api": api})


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def search() -> None:
    """The register's search as a quality manager runs it: the first page of 50 and its count, with the register's
    own paginator (a search's matches counted up to RANKED_AT_MOST)."""
    manager = _user(QUALITY_MANAGER)
    words = _search_words(60, seed=9)
    timings, hits = [], []
    for repeat in range(2):  # the first pass warms the cache, as a running server's would be
        for word in words:
            started = time.perf_counter()
            results, counted = search_counted(documents_for_list(manager), word)
            paginator = EstimatedCountPaginator(results, 50, count_at_most=RANKED_AT_MOST, counted=counted)
            page = paginator.get_page(1)
            list(page.object_list)
            elapsed = (time.perf_counter() - started) * 1000
            if repeat:
                timings.append(elapsed)
                hits.append(paginator.count)
    emit(
        {
            "documents": Document.objects.count(),
            "queries": len(timings),
            "p50_ms": round(_percentile(timings, 0.50), 2),
            "p95_ms": round(_percentile(timings, 0.95), 2),
            "max_ms": round(max(timings), 2),
            "median_hits": statistics.median(hits),
        }
    )


def _cost(client: Client, path: str, headers: dict[str, str], repeat: int = 20) -> dict[str, Any]:
    """Median milliseconds per request of `path` (after warming up), and the SQL time of one request."""
    for _ in range(3):
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(path, headers=headers)
    sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    return {"ms": round(statistics.median(timings), 2), "sql_ms": round(sql_ms, 2), "queries": len(captured)}


def costs() -> None:
    """The first path of each page under load, and the bare view, as the load step asks for them."""
    manager = _user(QUALITY_MANAGER)
    token, _ = Token.objects.get_or_create(user=manager)
    browser, api = _signed_in(manager), Client()
    words = _search_words(1)
    paths = {
        "document register": "/documents/",
        "document API list": "/api/v1/documents/",
        "search": f"/documents/?q={words[0]}",
        "document page": f"/documents/{_sample_ids(Document.objects.filter(status=Document.Status.EFFECTIVE), 1)[0]}/",
        "my work": "/",
        "CAPA register": "/capa/",
        "idea board": "/improvement/board/",
    }
    pages = {
        name: _cost(api, path, {"authorization": f"Token {token.key}"})
        if name.endswith("API list")
        # The browser's pages are asked for as the load test asks: a session cookie, no HTMX.
        else _cost(browser, path, {})
        for name, path in paths.items()
    }
    emit({"bare": _cost(Client(), "/bench/bare/", {}), "pages": pages})


if __name__ == "__main__":
    {"prepare": prepare, "queries": queries, "search": search, "costs": costs}[sys.argv[1]]()
