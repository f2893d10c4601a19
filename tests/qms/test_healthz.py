import pytest
from django.conf import settings

from tests.conftest import REDIS_URL, tasks_through_broker

pytestmark = pytest.mark.django_db

CACHE = "not configured" if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache") else "ok"


def test_health_reports_database_broker_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    # The suite runs tasks in-process unless a test says otherwise: no broker.
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not configured",
        "cache": CACHE,
        "tasks_waiting": 0,
    }


def test_health_is_degraded_not_failing_when_the_broker_is_unreachable(client):
    # The site works without Redis (qms.outbox keeps the work), so a load balancer must not take it out of service.
    with tasks_through_broker("redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["broker"]) == ("degraded", "error")


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from qms import views

    monkeypatch.setattr(views, "_check_database", lambda: "error")  # the query's failure, not how it fails
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "broker": "not configured", "cache": CACHE}


@pytest.mark.redis
def test_health_reaches_a_real_redis_broker(client):
    with tasks_through_broker(REDIS_URL):
        response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
