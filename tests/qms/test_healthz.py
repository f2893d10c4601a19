import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not configured"}


def test_health_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.redis
def test_health_reaches_a_real_redis_broker(client, settings):
    from tests.conftest import REDIS_URL

    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok"
