"""The benchmark's summary says plainly which target is met, and its plan reader finds sequential scans.

The benchmark itself runs outside the suite (`make bench`); these tests keep its verdicts honest."""

from xml.etree import ElementTree

from bench import report
from bench.measure import _sequential_scans
from bench.run import TARGETS


def _result(**overrides):
    page = {"rps": 400.0, "ratio": 0.5, "p50_ms": 20.0, "p95_ms": 60.0, "p99_ms": 90.0, "errors": 0, "bad_status": 0}
    slow = {**page, "rps": 100.0, "ratio": 0.1, "p95_ms": 250.0}
    listed = {"rows_shown": 50, "queries_1_row": 9, "queries_25_rows": 9, "queries_50_rows": 9, "equal": True}
    result = {
        "date": "2026-11-24T08:00:00+00:00",
        "machine": {"cpus": 2, "memory_gb": 23.5, "python": "3.11.7", "postgresql": "15"},
        "settings": {"documents": 100_000, "connections": 16, "duration_s": 10, "web_workers": 4},
        "targets": TARGETS,
        "minutes": 12.5,
        "data": {"documents": 100_000},
        "load": {
            "bare": {"rps": 800.0, "before": page, "after": page},
            "pages": {"document register": page, "CAPA register <b>": slow},
        },
        "queries": {
            "big_tables": ["documents_document"],
            "pages": {"document register": {**listed, "grows": False, "seq_scans_on_big_tables": []}},
            "api": {"/api/v1/capas/": {**listed, "grows": True, "seq_scans_on_big_tables": ["capa_capa"]}},
        },
        "search": {"small": {"documents": 100_000, "p50_ms": 8.0, "p95_ms": 30.0}},
        "heavy": {
            "audit_pdf": {"pages": 61, "seconds": 12.0, "peak_mb": 300},
            "evidence_pack": {"records": 10_000, "bytes": 1.1e9, "seconds": 70.0, "peak_mb": 150},
        },
    }
    result.update(overrides)
    return result


def test_each_target_is_judged_against_its_figure():
    verdicts = {what: met for what, _, _, met in report.checks(_result())}
    assert verdicts["document register: share of bare view"] is True
    assert verdicts["document register: p95 at 16 connections"] is True
    assert "CAPA register <b>: share of bare view" not in verdicts  # only the issue's list pages are targets
    assert verdicts["queries per list: no growth from 25 to 50 rows"] is False
    assert verdicts["no sequential scan of a big table"] is False
    assert verdicts["search p95 at 100,000 documents"] is True
    assert verdicts["audit report PDF (61 pages): time"] is True
    assert verdicts["evidence pack (10,000 records, 1.10 GB): time"] is False
    assert verdicts["evidence pack: peak memory"] is True


def test_the_summary_says_what_is_not_met_and_draws_every_page():
    text = report.markdown(_result(), "chart.svg")
    assert "| evidence pack (10,000 records, 1.10 GB): time | 70.0 s | ≤ 60 s | **not met** |" in text
    assert "![Share of the bare view](chart.svg)" in text
    svg = ElementTree.fromstring(report.chart(_result()))  # noqa: S314 - our own chart, not untrusted input
    assert len(svg.findall("{http://www.w3.org/2000/svg}rect")) == 2
    assert "CAPA register <b>" in "".join(svg.itertext())  # escaped, so still text


def test_a_sequential_scan_counts_only_on_a_big_table_at_any_depth():
    plan = {
        "Node Type": "Limit",
        "Plans": [
            {
                "Node Type": "Hash Join",
                "Plans": [
                    {"Node Type": "Seq Scan", "Relation Name": "documents_documenttype"},
                    {"Node Type": "Seq Scan", "Relation Name": "documents_document"},
                ],
            },
            {"Node Type": "Index Scan", "Relation Name": "documents_revision"},
        ],
    }
    assert _sequential_scans(plan, {"documents_document", "documents_revision"}) == ["documents_document"]
