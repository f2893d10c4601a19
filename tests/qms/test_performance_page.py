"""The performance dashboard page: who sees it, the period form and its errors, every number's link opening a register
that lists exactly the records counted, a fixed number of queries whatever the data, and the empty page of a fresh
install. The data set is the metrics test's (`build`): "today" is 31 Mar 2026, the period January and February 2026.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from audits.models import Finding
from capa import services as capa_services
from capa.models import Capa
from qms.performance import metrics
from qms.performance.views import default_period
from tests.qms.test_performance_metrics import NOW, PERIOD, TODAY, build, clock, ideas, nonconformities

URL = reverse("performance:index")
PERIOD_QUERY = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
# The dashboard's 12 aggregate queries; the session, the user, their roles and their unread notifications. Reading a
# page does not save the session (qms.sessions: activity is recorded at most once a minute).
PAGE_QUERIES = 16


@pytest.fixture
def dataset(db: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build()


def get(client: Any, url: str = URL, query: dict[str, str] | None = None) -> Any:
    with clock(NOW):
        return client.get(url, query or {})


# --- Who may open it ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("quality_manager", 200), ("auditor", 200), ("employee", 403), ("external_auditor", 403), ("outsider", 403)],
)
def test_quality_managers_and_auditors_open_the_dashboard(client, personas, persona, status):
    client.force_login(personas[persona])
    assert client.get(URL).status_code == status


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_main_navigation_offers_it_to_quality_staff_only(client, quality_manager, employee):
    client.force_login(quality_manager)
    assert f'href="{URL}"' in client.get(reverse("dashboard")).content.decode()
    assert f'href="{URL}" aria-current="page"' in client.get(URL).content.decode()
    client.force_login(employee)
    assert f'href="{URL}"' not in client.get(reverse("dashboard")).content.decode()


def test_only_get_is_answered(client, quality_manager):
    client.force_login(quality_manager)
    assert client.post(URL, PERIOD_QUERY).status_code == 405


# --- The period -------------------------------------------------------------------------------------------------------


def test_the_default_period_is_the_last_12_months_ending_today(client, quality_manager):
    client.force_login(quality_manager)
    response = get(client)
    assert response.status_code == 200
    assert response.context["period"] == default_period(TODAY)
    assert (response.context["period"].start.isoformat(), response.context["period"].end) == ("2025-04-01", TODAY)
    page = response.content.decode()
    assert 'value="2025-04-01"' in page and 'value="2026-03-31"' in page
    assert "1 Apr 2025 to 31 Mar 2026" in page


def test_the_quick_choices_link_their_periods_and_mark_the_one_shown(client, quality_manager):
    client.force_login(quality_manager)
    page = get(client, query={"start": "2025-01-01", "end": "2025-12-31"}).content.decode()
    assert '<a href="?start=2025-01-01&amp;end=2025-12-31" aria-current="true">Last year</a>' in page
    assert '<a href="?start=2025-04-01&amp;end=2026-03-31">Last 12 months</a>' in page
    assert '<a href="?start=2026-01-01&amp;end=2026-03-31">This year</a>' in page
    assert '<a href="?start=2026-01-01&amp;end=2026-03-31">Last 90 days</a>' in page  # 1 Jan is 89 days back
    assert page.count('aria-current="true"') == 1


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ({"start": "2026-13-01", "end": "2026-02-28"}, "start", "Enter a date as YYYY-MM-DD."),
        ({"start": "yesterday", "end": "2026-02-28"}, "start", "Enter a date as YYYY-MM-DD."),
        ({"start": "2026-03-01", "end": "2026-02-28"}, "end", "The period must end on or after its start."),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "end", "Give a day between 1900 and 2999."),
        ({"start": "0001-01-01", "end": "2026-01-01"}, "start", "Give a day between 1900 and 2999."),
        ({"start": "2026-01-01"}, "end", "This field is required."),
        ({"end": ""}, "start", "This field is required."),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field(client, quality_manager, query, field, error):
    client.force_login(quality_manager)
    response = get(client, query=query)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [error]
    page = response.content.decode()
    assert f'<ul class="errorlist" id="id_{field}_error"><li>{error}</li></ul>' in page
    assert f'aria-describedby="id_{field}_error"' in page
    assert "Correct the period to see the numbers." in page
    assert "board" not in response.context


def test_the_period_chosen_is_shown_and_counted(client, dataset):
    client.force_login(dataset["qm"])
    response = get(client, query=PERIOD_QUERY)
    assert response.status_code == 200
    assert response.context["board"].findings.total.value == 4
    page = response.content.decode()
    assert "1 Jan 2026 to 28 Feb 2026" in page
    assert "show the state today, 31 Mar 2026, whatever the period" in page


# --- Every number opens exactly its records ---------------------------------------------------------------------------


def figures(value: Any) -> Iterator[metrics.Figure]:
    """Every Figure in the dashboard's numbers, wherever it sits."""
    if isinstance(value, metrics.Figure):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from figures(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from figures(item)


def listed(client: Any, figure: metrics.Figure) -> int:
    """How many records the figure's link lists, read from the page it opens."""
    response = get(client, figure.url)
    assert response.status_code == 200, figure.url
    context, name = response.context, resolve(urlsplit(figure.url).path).view_name
    if name in {"documents:index", "audits:findings", "capa:index", "capa:nonconformities", "improvement:list"}:
        return context["page"].paginator.count
    if name == "audits:index":
        return len(context["audits"])
    if name == "documents:training":
        readers = [reader for row in context["rows"] for reader in row["readers"]]
        done = sum(1 for reader in readers if reader.acknowledged_at)
        return done if figure.key == "done" else len(readers) - done
    if name == "improvement:participation":
        return context["taking_part"] if figure.key == "taking_part" else context["people"]
    raise AssertionError(f"no reader for {name}")


def test_every_number_links_to_a_register_that_lists_exactly_the_records_counted(client, dataset):
    client.force_login(dataset["qm"])
    board = get(client, query=PERIOD_QUERY).context["board"]
    checked = 0
    for figure in figures(board):
        if figure.value:
            assert listed(client, figure) == figure.value, (figure.what, figure.url)
            checked += 1
    assert checked >= 40


def test_a_heat_map_cell_lists_its_findings(client, dataset):
    client.force_login(dataset["qm"])
    board = get(client, query=PERIOD_QUERY).context["board"]
    row = next(row for group in board.findings.groups for row in group.rows if row.number == "7.1")
    cell = next(cell for cell in row.cells if cell.key == Finding.Type.MINOR_NC)
    assert cell.url.startswith(reverse("audits:findings") + "?")
    shown = list(get(client, cell.url).context["page"].object_list)
    assert sorted(finding.clause.number for finding in shown) == ["7.1", "7.1.5"]
    assert {finding.type for finding in shown} == {Finding.Type.MINOR_NC}
    page = get(client, query=PERIOD_QUERY).content.decode()
    assert (
        f'href="{cell.url.replace("&", "&amp;")}">2<span class="visually-hidden"> minor nonconformity findings' in page
    )


def test_an_open_capa_age_cell_lists_its_capas(client, dataset):
    client.force_login(dataset["qm"])
    board = get(client).context["board"]
    newest = board.open_capas.rows[0]
    cell = next(cell for cell in newest.cells if cell.key == Capa.Status.INVESTIGATING)
    shown = list(get(client, cell.url).context["page"].object_list)
    assert [capa.title for capa in shown] == ["30 days"]


def test_a_zero_is_printed_but_not_linked(client, dataset):
    client.force_login(dataset["qm"])
    page = get(client, query=PERIOD_QUERY).content.decode()
    assert (
        '<span class="number number-zero">0<span class="visually-hidden"> major nonconformity findings against 4.1'
        in page
    )


# --- Speed ------------------------------------------------------------------------------------------------------------


def _more(p: dict[str, Any], times: int) -> None:
    """Several times the flows of the data set again, and more open CAPAs of every age."""
    for _ in range(times):
        nonconformities(p)
        ideas(p)
    for days in range(0, 400, 20):
        with clock(NOW - timedelta(days=days)):
            capa_services.capa_create(
                actor=p["qm"],
                title=f"Opened {days} days ago",
                source=Capa.Source.INTERNAL,
                problem="Problem",
                owner=p["e1"],
                due_date=TODAY + timedelta(days=30),
            )


def test_the_page_asks_the_same_queries_for_a_small_and_a_larger_data_set(client, dataset, django_assert_num_queries):
    client.force_login(dataset["qm"])
    with django_assert_num_queries(PAGE_QUERIES):
        small = get(client, query=PERIOD_QUERY)
    _more(dataset, 3)
    with django_assert_num_queries(PAGE_QUERIES):
        larger = get(client, query=PERIOD_QUERY)
    assert larger.context["board"].repeats.reported.value > small.context["board"].repeats.reported.value
    assert larger.context["board"].open_capas.total.value == small.context["board"].open_capas.total.value + 20


def test_the_numbers_are_twelve_aggregate_queries(dataset, django_assert_num_queries):
    with clock(NOW), django_assert_num_queries(12):
        metrics.dashboard(dataset["qm"], PERIOD, today=TODAY)


# --- The page itself --------------------------------------------------------------------------------------------------


def test_each_panel_has_its_heading_its_time_and_an_accessible_chart(client, dataset):
    client.force_login(dataset["qm"])
    page = get(client, query=PERIOD_QUERY).content.decode()
    for heading, when in [
        ("Controlled documents", "Now"),
        ("Acknowledgements", "Now"),
        ("Audit programme", "In the period"),
        ("Repeat nonconformities", "In the period"),
        ("Audit findings by clause", "In the period"),
        ("Open CAPAs by age", "Now"),
        ("CAPAs closed on time and effective", "In the period"),
        ("Improvement ideas", "In the period"),
        ("Participation in improvement", "In the period"),
    ]:
        assert f'>{heading}</h2><span class="when when-{"now" if when == "Now" else "period"}">{when}</span>' in page
    assert page.count("<figure") == page.count("<figcaption") >= 10
    assert page.count('role="img" aria-labelledby="') == page.count('<svg class="chart')
    assert '<svg class="chart chart-bars" viewBox="0 0 380 ' in page
    assert '<title id="documents-chart-title">Documents by status, now</title>' in page
    assert '<desc id="documents-chart-desc">Draft: 1; Effective: 3; Obsolete: 1.</desc>' in page
    assert '<table class="heat-map" aria-describedby="findings-caption">' in page
    assert "Major NC: major nonconformity · Minor NC: minor nonconformity" in page
    assert "<script" not in page.split("</head>")[1]
    assert 'href="/static/css/performance.css"' in page


def test_a_fresh_install_shows_what_each_panel_will_show(client, quality_manager):
    client.force_login(quality_manager)
    response = get(client)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["board"].is_empty
    assert "Nothing is recorded yet." in page
    for empty in [
        "No controlled document yet.",
        "No document in force names who must read it.",
        "No audit is planned to start in this period.",
        "No nonconformity was reported in this period.",
        "No finding was raised in this period.",
        "No CAPA is open.",
        "No CAPA was closed and no effectiveness check was signed in this period.",
        "No idea was submitted in this period.",
    ]:
        assert empty in page
    # The one chart drawn: the quality manager is a person of a department, who has not taken part yet.
    assert page.count('<svg class="chart') == 1
    assert "People who took part in improvement: 0 of 1, 0 %" in page
    assert '<table class="heat-map"' not in page


def test_a_period_with_nothing_in_it_keeps_the_state_of_now(client, dataset):
    client.force_login(dataset["qm"])
    page = get(client, query={"start": "2020-01-01", "end": "2020-12-31"}).content.decode()
    assert "No finding was raised in this period." in page
    assert "Nothing is recorded yet." not in page
    assert '<desc id="documents-chart-desc">Draft: 1; Effective: 3; Obsolete: 1.</desc>' in page
