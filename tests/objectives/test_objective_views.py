"""Browser pages of quality objectives: who opens what, the register (markers, filters, empty state, query count,
CSV), the objective page with its trend, and the forms with their field errors."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.models import Clause, User
from qms.objectives import services
from qms.objectives.models import Measurement, Objective
from tests.objectives.conftest import days_from_today, record, set_objective

pytestmark = pytest.mark.django_db

# The register asks this many queries whatever it holds (pinned at 1 and at 12 objectives).
REGISTER_QUERIES = 9
QM, AUD, EMP, EXT, NONE = "quality_manager", "auditor", "employee", "external_auditor", "outsider"
EVERYONE = {QM, AUD, EMP, EXT}


def _as(client, user):
    client.force_login(User.objects.get(pk=user.pk))
    return client


def _page(client, user, url, status=200):
    response = _as(client, user).get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# --- Who opens what -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/objectives/", EVERYONE),
        ("/objectives/export.csv", EVERYONE),
        ("/objectives/{pk}/", EVERYONE),
        ("/objectives/{pk}/history/", EVERYONE),
        ("/objectives/new/", {QM}),
        ("/objectives/{pk}/edit/", {QM}),
    ],
)
@pytest.mark.parametrize("persona", [QM, AUD, EMP, EXT, NONE])
def test_who_opens_which_page(client, personas, objective, path, allowed, persona):
    response = _as(client, personas[persona]).get(path.format(pk=objective.pk))
    assert response.status_code == (200 if persona in allowed else 403)


def test_a_visitor_is_sent_to_sign_in(client, objective):
    response = client.get(f"/objectives/{objective.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("path", "body", "allowed"),
    [
        ("/objectives/{pk}/measurements/", {"measurement-measured_on": "{today}", "measurement-value": "5"}, {QM, EMP}),
        ("/objectives/{pk}/close/", {"close-outcome": "withdrawn", "close-reason": "Merged into OBJ-9"}, {QM}),
    ],
)
@pytest.mark.parametrize("persona", [QM, AUD, EMP, EXT, NONE])
def test_who_may_post_on_the_objective_page(client, personas, objective, path, body, allowed, persona):
    data = {key: value.format(today=days_from_today(0)) for key, value in body.items()}
    response = _as(client, personas[persona]).post(path.format(pk=objective.pk), data)
    assert response.status_code == (302 if persona in allowed else 403), response.content[:300]


def test_the_nav_links_the_register(client, employee):
    assert 'href="/objectives/"' in _page(client, employee, "/")


# --- The register ---------------------------------------------------------------------------------------------------


def test_the_register_marks_each_objective_met_on_track_off_track_or_without_data(client, quality_manager, employee):
    met = set_objective(quality_manager, employee, title="Met one")
    record(met, employee, 2, "3")
    on_track = set_objective(quality_manager, employee, title="On track one")
    record(on_track, employee, 2, "7")
    off_track = set_objective(quality_manager, employee, title="Off track one")
    record(off_track, employee, 2, "9.5")
    set_objective(quality_manager, employee, title="Empty one")
    page = _page(client, employee, "/objectives/")
    for title, marker in [
        ("Met one", "Target met"),
        ("On track one", "On track"),
        ("Off track one", "Off track"),
        ("Empty one", "No data"),
    ]:
        row = page[page.index(title) : page.index("</tr>", page.index(title))]
        assert "standing-" in row and marker in row, title
    assert "3 complaints" in page and "9.5 complaints" in page and "none yet" in page
    filtered = _page(client, employee, "/objectives/?standing=off_track")
    assert "Off track one" in filtered and "Met one" not in filtered


def test_the_register_filters_by_status_owner_and_search(client, objective, quality_manager, auditor, employee):
    other = set_objective(quality_manager, auditor, title="On-time delivery", metric="Orders on time")
    services.objective_close(actor=quality_manager, objective=other, outcome="withdrawn", reason="Duplicate")
    assert "On-time delivery" not in _page(client, employee, "/objectives/?status=active")
    assert "Fewer customer complaints" not in _page(client, employee, f"/objectives/?owner={auditor.pk}")
    searched = _page(client, employee, "/objectives/?q=orders+on")
    assert "On-time delivery" in searched and "Fewer customer complaints" not in searched


def test_an_empty_register_tells_a_quality_manager_how_to_start(client, quality_manager, employee):
    assert "Set the first objective" in _page(client, quality_manager, "/objectives/")
    page = _page(client, employee, "/objectives/")
    assert "No quality objectives yet." in page and "Set the first objective" not in page


def _register_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/objectives/").status_code == 200
    return len(queries)


def test_the_register_asks_the_same_number_of_queries_for_1_or_12_objectives(client, quality_manager, employee):
    _as(client, employee)
    first = set_objective(quality_manager, employee)
    record(first, employee, 3, "5")
    one = _register_queries(client, employee)
    for number in range(11):
        extra = set_objective(quality_manager, employee, title=f"Objective {number}")
        record(extra, employee, 3, str(number))
    assert _register_queries(client, employee) == one == REGISTER_QUERIES


def test_the_csv_keeps_formulas_as_text(client, quality_manager, employee):
    tricky = set_objective(quality_manager, employee, title='=HYPERLINK("http://evil")', metric="+1 complaints")
    record(tricky, employee, 1, "5")
    response = _as(client, employee).get("/objectives/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    [row] = rows
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["metric"] == "'+1 complaints"
    assert (row["reference"], row["latest_value"], row["target"], row["standing"]) == ("OBJ-0001", "5", "4", "on_track")
    assert row["clauses"] == "6.2" and row["direction"] == "lower"


# --- The objective page ---------------------------------------------------------------------------------------------


def test_the_page_draws_the_trend_against_the_target_with_a_table_of_values(client, objective, employee):
    for days_ago, value in ((150, "9"), (120, "8"), (90, "8"), (60, "6")):
        record(objective, employee, days_ago, value, note=f"Log {days_ago}")
    page = _page(client, employee, f"/objectives/{objective.pk}/")
    assert 'role="img"' in page and 'class="measured"' in page and 'class="target"' in page
    assert 'class="planned"' in page  # a baseline gives the planned path
    assert "4 values, from 9 complaints on" in page and "Latest: on track." in page
    assert page.count('<circle class="marker"') == 4
    assert "<caption" in page and "Log 150" in page
    assert "Record a value" in page  # the owner enters values


def test_the_page_shows_no_forms_to_those_who_only_read(client, objective, auditor, external_auditor):
    for reader in (auditor, external_auditor):
        page = _page(client, reader, f"/objectives/{objective.pk}/")
        assert "Record a value" not in page and "Close the objective" not in page and "/edit/" not in page


def test_a_computed_objective_says_where_its_values_come_from(client, computed, quality_manager):
    page = _page(client, quality_manager, f"/objectives/{computed.pk}/")
    assert "Computed every day from the records" in page and "Record a value" not in page
    assert "none yet" in page


def test_recording_a_value_for_a_day_that_has_one_is_refused_next_to_the_date(client, objective, employee):
    record(objective, employee, 4, "6")
    response = _as(client, employee).post(
        f"/objectives/{objective.pk}/measurements/",
        {
            "measurement-measured_on": str(days_from_today(-4)),
            "measurement-value": "5.5",
            "measurement-note": "Recount",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"There is already a value for {days_from_today(-4)} (6)." in page
    assert 'id="id_measurement-measured_on_error"' in page and "Recount</textarea>" in page
    assert objective.measurements.count() == 1


@pytest.mark.parametrize(
    ("value", "day", "message"),
    [
        ("abc", 0, "Enter a number."),
        ("5", -3, "the date cannot be in the future"),
        ("1" * 20, 0, "no more than 15 digits"),
    ],
)
def test_bad_values_are_field_errors(client, objective, employee, value, day, message):
    response = _as(client, employee).post(
        f"/objectives/{objective.pk}/measurements/",
        {"measurement-measured_on": str(days_from_today(-day)), "measurement-value": value},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not objective.measurements.exists()


def test_a_recorded_value_shows_on_the_page(client, objective, employee):
    response = _as(client, employee).post(
        f"/objectives/{objective.pk}/measurements/",
        {"measurement-measured_on": str(days_from_today(-1)), "measurement-value": "6", "measurement-note": "Log"},
    )
    assert response.status_code == 302 and response["Location"] == f"/objectives/{objective.pk}/#values"
    page = client.get(response["Location"]).content.decode()
    assert f"Value for {days_from_today(-1)} recorded." in page and "6 complaints" in page


# --- Quality managers' forms ----------------------------------------------------------------------------------------


def _objective_form(**overrides):
    data = {
        "title": "On-time delivery",
        "description": "Customers plan their lines on our dates.",
        "source": "manual",
        "metric": "Orders delivered on the promised day",
        "unit": "%",
        "direction": "higher",
        "target": "95",
        "baseline": "88.5",
        "start_date": str(days_from_today(-30)),
        "due_date": str(days_from_today(335)),
        "clauses": [str(Clause.objects.get(number="8.2.1").pk)],
    }
    return data | overrides


def test_a_quality_manager_sets_an_objective_with_the_form(client, quality_manager, employee):
    response = _as(client, quality_manager).post("/objectives/new/", _objective_form(owner=str(employee.pk)))
    objective = Objective.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/objectives/{objective.pk}/"
    assert (objective.reference, objective.target, objective.baseline) == ("OBJ-0001", Decimal("95"), Decimal("88.5"))
    assert [c.number for c in objective.clauses.all()] == ["8.2.1"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"metric": ""}, "Name what is measured."),
        ({"direction": ""}, "Say whether higher or lower values are better."),
        ({"due_date": str(days_from_today(-40))}, "The due date comes after the start date."),
        ({"source": "idea_rate", "metric": "", "unit": "ideas"}, "is measured in %"),
        ({"target": "lots"}, "Enter a number."),
    ],
)
def test_the_form_shows_refusals_next_to_their_field_and_keeps_the_input(
    client, quality_manager, employee, overrides, message
):
    response = _as(client, quality_manager).post(
        "/objectives/new/", _objective_form(owner=str(employee.pk), **overrides)
    )
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert "The objective is not set yet; everything you entered is kept." in page
    assert "Customers plan their lines on our dates." in page
    assert not Objective.objects.exists()


def test_a_quality_manager_changes_an_objective_with_a_reason(client, objective, quality_manager, employee):
    form = {
        "title": objective.title,
        "description": objective.description,
        "metric": objective.metric,
        "unit": objective.unit,
        "direction": objective.direction,
        "target": "3",
        "baseline": "10",
        "start_date": str(objective.start_date),
        "due_date": str(objective.due_date),
        "owner": str(employee.pk),
        "clauses": [str(Clause.objects.get(number="6.2").pk)],
    }
    refused = _as(client, quality_manager).post(f"/objectives/{objective.pk}/edit/", form)
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    saved = client.post(f"/objectives/{objective.pk}/edit/", form | {"reason": "Review asked for 3"})
    assert saved.status_code == 302
    objective.refresh_from_db()
    assert objective.target == Decimal("3")
    assert objective.history.latest().history_change_reason == "Review asked for 3"


def test_closing_with_the_form_needs_the_evidence_for_achieved(client, objective, quality_manager, employee):
    record(objective, employee, 3, "6")
    refused = _as(client, quality_manager).post(
        f"/objectives/{objective.pk}/close/", {"close-outcome": "achieved", "close-reason": "Looks good"}
    )
    assert refused.status_code == 400 and "does not meet the target" in refused.content.decode()
    closed = client.post(
        f"/objectives/{objective.pk}/close/", {"close-outcome": "missed", "close-reason": "Six, not four"}
    )
    assert closed.status_code == 302
    page = client.get(f"/objectives/{objective.pk}/").content.decode()
    assert "Missed on" in page and "Six, not four" in page and "The objective no longer changes." in page
    assert "Close the objective" not in page
    # Its change page now sends the manager back to it.
    assert client.get(f"/objectives/{objective.pk}/edit/").status_code == 302


def test_the_history_lists_the_objective_and_its_values(client, objective, employee, external_auditor):
    record(objective, employee, 3, "6", note="From the log")
    page = _page(client, external_auditor, f"/objectives/{objective.pk}/history/")
    assert "History of OBJ-0001 Fewer customer complaints" in page
    assert "Objective set" in page and f"Value for {days_from_today(-3)} entered" in page


def test_the_clause_page_lists_the_objectives_that_name_it(client, objective, employee):
    page = _page(client, employee, "/clauses/6/")
    assert "Quality objectives" in page and "OBJ-0001 Fewer customer complaints" in page


def test_the_history_leaves_out_the_daily_computed_values(client, computed, quality_manager):
    Measurement.objects.create(
        objective=computed, measured_on=days_from_today(-1), value=Decimal("70"), source="computed"
    )
    page = _page(client, quality_manager, f"/objectives/{computed.pk}/history/")
    assert "Objective set" in page and f"{computed.reference} on {days_from_today(-1)}" not in page
