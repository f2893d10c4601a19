"""The benchmark's summary: the result as JSON, a short Markdown page that says which targets are met, and a chart
(SVG, drawn here: the repository has no chart library and needs none for a few bars)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

LIST_TARGETS = ("document register", "document API list", "search", "my work", "CAPA register", "idea board")


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**not met**")


def checks(result: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(what, figure, target, met) for every target the run measured."""
    targets = result["targets"]
    rows: list[tuple[str, str, str, bool | None]] = []
    pages = result.get("load", {}).get("pages", {})
    for name in LIST_TARGETS:
        if name in pages:
            page = pages[name]
            rows.append(
                (
                    f"{name}: share of bare view",
                    f"{page['ratio']:.0%}",
                    f"≥ {targets['page_ratio']:.0%}",
                    page["ratio"] >= targets["page_ratio"],
                )
            )
            rows.append(
                (
                    f"{name}: p95 at {result['settings']['connections']} connections",
                    f"{page['p95_ms']:.0f} ms",
                    f"≤ {targets['page_p95_ms']} ms",
                    page["p95_ms"] <= targets["page_p95_ms"],
                )
            )
    queries = result.get("queries")
    if queries:
        lists = {**queries["pages"], **queries["api"]}
        unequal = [name for name, page in lists.items() if not page["equal"]]
        growing = [name for name, page in lists.items() if page["grows"]]
        scanning = [name for name, page in lists.items() if page["seq_scans_on_big_tables"]]
        counted = f"{len(lists)} lists"
        rows.append(
            ("queries per list: no growth from 25 to 50 rows", f"{len(growing)} of {counted} grow", "none", not growing)
        )
        rows.append(
            (
                "queries per list: equal at 1 and 50 rows",
                f"{len(lists) - len(unequal)} of {counted}" + _named(unequal, lists, _fewer_at_one_row),
                "all",
                not unequal,
            )
        )
        rows.append(
            (
                "no sequential scan of a big table",
                f"{len(lists) - len(scanning)} of {counted}" + _named(scanning, lists, _scans),
                "all",
                not scanning,
            )
        )
    search = result.get("search", {})
    for size, key in (("small", "search_p95_ms_100k"), ("big", "search_p95_ms_1m")):
        if size in search:
            figures = search[size]
            rows.append(
                (
                    f"search p95 at {figures['documents']:,} documents",
                    f"{figures['p95_ms']:.1f} ms",
                    f"≤ {targets[key]} ms",
                    figures["p95_ms"] <= targets[key],
                )
            )
    heavy = result.get("heavy", {})
    if "audit_pdf" in heavy:
        pdf = heavy["audit_pdf"]
        rows.append(
            (
                f"audit report PDF ({pdf['pages']} pages): time",
                f"{pdf['seconds']:.1f} s",
                f"≤ {targets['audit_pdf_seconds']} s",
                pdf["seconds"] <= targets["audit_pdf_seconds"],
            )
        )
        rows.append(
            (
                "audit report PDF: peak memory",
                f"{pdf['peak_mb']:.0f} MB",
                f"≤ {targets['audit_pdf_peak_mb']} MB",
                pdf["peak_mb"] <= targets["audit_pdf_peak_mb"],
            )
        )
    if "evidence_pack" in heavy:
        pack = heavy["evidence_pack"]
        size = f"{pack['records']:,} records, {pack['bytes'] / 1e9:.2f} GB"
        rows.append(
            (
                f"evidence pack ({size}): time",
                f"{pack['seconds']:.1f} s",
                f"≤ {targets['pack_seconds']} s",
                pack["seconds"] <= targets["pack_seconds"],
            )
        )
        rows.append(
            (
                "evidence pack: peak memory",
                f"{pack['peak_mb']:.0f} MB",
                f"≤ {targets['pack_peak_mb']} MB",
                pack["peak_mb"] <= targets["pack_peak_mb"],
            )
        )
        if "verify_seconds" in pack:
            rows.append(
                (
                    "verify_evidence_pack",
                    f"{pack['verify_seconds']:.1f} s, {pack['verify_peak_mb']:.0f} MB",
                    "(measured)",
                    None,
                )
            )
    if "document_import" in heavy:
        rows += _import_checks(heavy["document_import"], targets)
    return rows


def _named(names: list[str], lists: dict[str, Any], describe: Any) -> str:
    """The lists a check is not met for, each with what was seen, so the summary says why without a second look."""
    return "".join(f"; {name}: {describe(lists[name])}" for name in names)


def _fewer_at_one_row(page: dict[str, Any]) -> str:
    counts = f"{page['queries_1_row']} at 1 row, {page['queries_25_rows']} at 25 and {page['queries_50_rows']} at 50"
    if page["queries_1_row"] < page["queries_25_rows"] == page["queries_50_rows"]:
        # Django skips a prefetch that has nothing to look up: the page's first record lacks some related kind.
        return f"{counts} (the first row has none of a related kind, so its prefetch is not asked)"
    return counts


def _scans(page: dict[str, Any]) -> str:
    return ", ".join(page["seq_scans_on_big_tables"])


def _import_checks(figures: dict[str, Any], targets: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """Each job of the largest list: its time and rows/s (measured), its peak (target); and how the peak grew from
    the smallest list to the largest (target: memory flat)."""
    largest = figures["runs"][-1]
    size = f"{largest['rows']:,} rows, {largest['zip_bytes'] / 1e9:.2f} GB"
    rows: list[tuple[str, str, str, bool | None]] = []
    for job in ("check", "import"):
        rows.append(
            (
                f"document import ({size}): {job} job",
                f"{largest[f'{job}_seconds']:.1f} s, {largest[f'{job}_rows_per_second']:,} rows/s",
                "(measured)",
                None,
            )
        )
        rows.append(
            (
                f"document import: {job} peak memory",
                f"{largest[f'{job}_peak_mb']:.0f} MB",
                f"≤ {targets['import_peak_mb']} MB",
                largest[f"{job}_peak_mb"] <= targets["import_peak_mb"],
            )
        )
    ratios = figures.get("peak_ratio")
    if ratios:
        smallest = figures["runs"][0]
        for job, ratio in ratios.items():
            rows.append(
                (
                    f"document import: {job} peak at {largest['rows']:,} / at {smallest['rows']:,} rows",
                    f"{ratio:.2f} ({largest[f'{job}_peak_mb']:.0f} / {smallest[f'{job}_peak_mb']:.0f} MB)",
                    f"≤ {targets['import_peak_ratio']}",
                    ratio <= targets["import_peak_ratio"],
                )
            )
    return rows


def chart(result: dict[str, Any]) -> str:
    """Each page's requests/s as a share of the bare view's, with the target line, and its p95 beside it."""
    pages = result.get("load", {}).get("pages", {})
    target = result["targets"]["page_ratio"]
    left, width, bar, gap = 190, 420, 22, 10
    height = 50 + len(pages) * (bar + gap)
    scale = max([target * 1.25, *(page["ratio"] for page in pages.values())])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 150}" height="{height}" '
        'font-family="DejaVu Sans, sans-serif" font-size="13" role="img" '
        'aria-label="Requests per second of each page as a share of the bare view">',
        "<title>Requests per second as a share of the bare Django view (higher is better)</title>",
        f'<text x="{left}" y="18" font-weight="bold">Share of the bare view\'s requests/s · p95 latency</text>',
    ]
    for index, (name, page) in enumerate(pages.items()):
        y = 32 + index * (bar + gap)
        length = width * page["ratio"] / scale
        colour = "#2e7d32" if page["ratio"] >= target else "#c62828"
        parts += [
            f'<text x="{left - 8}" y="{y + bar * 0.7}" text-anchor="end">{escape(name)}</text>',
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>',
            f'<text x="{left + length + 6:.1f}" y="{y + bar * 0.7}">'
            f"{page['ratio']:.0%} · {page['p95_ms']:.0f} ms</text>",
        ]
    x = left + width * target / scale
    parts += [
        f'<line x1="{x:.1f}" y1="26" x2="{x:.1f}" y2="{height - 8}" stroke="#333" stroke-dasharray="4 3"/>',
        f'<text x="{x + 4:.1f}" y="{height - 10}" font-size="11">target {target:.0%}</text>',
        "</svg>",
    ]
    return "\n".join(parts)


def markdown(result: dict[str, Any], chart_name: str) -> str:
    settings, machine = result["settings"], result["machine"]
    lines = [
        f"# Benchmark {result['date']}",
        "",
        f"{machine['cpus']} CPUs, {machine['memory_gb']} GB, Python {machine['python']}, {machine['postgresql']}. "
        f"{settings['documents']:,} documents (seeded in {result.get('seed_seconds', 0):.0f} s; data: "
        + ", ".join(f"{count:,} {name}" for name, count in result.get("data", {}).items())
        + f"); gunicorn with {settings['web_workers']} workers; wrk with {settings['connections']} connections, "
        f"{settings['duration_s']} s per page. The whole run took {result['minutes']} minutes.",
        "",
        "## Targets",
        "",
        "| What | Figure | Target | |",
        "|---|---|---|---|",
        *(f"| {what} | {figure} | {target} | {_verdict(met)} |" for what, figure, target, met in checks(result)),
    ]
    load = result.get("load")
    if load:
        lines += [
            "",
            "## Pages under load",
            "",
            f"![Share of the bare view]({chart_name})",
            "",
            f"Bare view: {load['bare']['rps']:,.0f} requests/s (before {load['bare']['before']['rps']:,.0f}, after "
            f"{load['bare']['after']['rps']:,.0f}). Absolute figures are this machine's, at this moment; the ratio "
            "is the figure that carries.",
            "",
            "| Page | requests/s | share of bare | p50 | p95 | p99 | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(
                f"| {name} | {page['rps']:,.0f} | {page['ratio']:.0%} | {page['p50_ms']:.0f} ms "
                f"| {page['p95_ms']:.0f} ms | {page['p99_ms']:.0f} ms | {page['errors'] + page['bad_status']} |"
                for name, page in load["pages"].items()
            ),
        ]
    costs = result.get("costs")
    if costs:
        lines += ["", *_cost_lines(costs, result)]
    queries = result.get("queries")
    if queries:
        lines += [
            "",
            "## Queries per list (1 row / 50 rows) and plans",
            "",
            f"Big tables (≥ 10,000 rows): {', '.join(queries['big_tables']) or 'none'}.",
            "",
            "| List | rows shown | queries at 1 row | 25 rows | 50 rows | sequential scans of big tables |",
            "|---|---:|---:|---:|---:|---|",
            *(
                f"| {name} | {'—' if page['rows_shown'] is None else page['rows_shown']} | {page['queries_1_row']} "
                f"| {page['queries_25_rows']} | {page['queries_50_rows']} "
                f"| {', '.join(page['seq_scans_on_big_tables']) or 'none'} |"
                for name, page in {**queries["pages"], **queries["api"]}.items()
            ),
        ]
    notes = result.get("notes")
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def _cost_lines(costs: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Each page under load served alone, one request at a time, in one process: what a request costs, and what
    that allows at most on this machine whatever serves it. A request's milliseconds are (nearly all) CPU of one
    core, so `cpus` cores serve at most cpus * 1000 / ms requests a second; and with `connections` always waiting, a
    request's mean latency is about connections * ms / cpus (Little's law), which p95 can only exceed."""
    cpus = result["machine"]["cpus"]
    connections = result["settings"]["connections"]
    bare = costs["bare"]["ms"]
    lines = [
        "## Where a page's time goes",
        "",
        f"Each page served alone by Django's test client in one process (median of 20), beside the bare view's "
        f"{bare:.2f} ms. A page's share of the bare view cannot exceed the bare view's milliseconds over the page's "
        f"(however many workers serve it); and at {connections} connections on {cpus} cores a request's mean latency "
        f"is about its cost times {connections}/{cpus} (the database shares the cores), which its p95 can only exceed.",
        "",
        "| Page | ms per request | of it SQL | queries | most share of bare view | mean latency at "
        f"{connections} connections |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, page in costs["pages"].items():
        lines.append(
            f"| {name} | {page['ms']:.1f} | {page['sql_ms']:.1f} | {page['queries']} | {bare / page['ms']:.1%} "
            f"| {page['ms'] * connections / cpus:.0f} ms |"
        )
    return lines


def write(result: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = result["date"][:10]
    paths = [folder / f"{stem}.json", folder / f"{stem}.md", folder / f"{stem}.svg"]
    paths[0].write_text(json.dumps(result, indent=2) + "\n")
    paths[1].write_text(markdown(result, paths[2].name))
    paths[2].write_text(chart(result))
    return paths
