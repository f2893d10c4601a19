"""Notifications: an entry in the centre and an email (subject, text and HTML), sent by a Celery task."""

import pytest
from django.core import mail

from qms import services
from qms.models import Notification
from qms.tasks import send_notification_email
from tests.conftest import api_as
from tests.qms.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """Notify one user; the email task, queued on commit, runs as if the transaction had committed."""

    def send(user, subject="Please approve SOP-0007 rev 3"):
        with django_capture_on_commit_callbacks(execute=True):
            return services.notify(
                recipients=[user],
                kind="generic",
                subject=subject,
                context={"message": "Due Friday."},
                url="/documents/",
            )

    return send


def test_notify_creates_an_entry_and_emails_text_and_html(employee, notify):
    (notification,) = notify(employee)
    assert notification.body == "Due Friday."
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "[QMS] Please approve SOP-0007 rev 3"
    assert email.to == [employee.email]
    assert "Due Friday." in email.body
    assert "http://127.0.0.1:8000/documents/" in email.body
    html, mime = email.alternatives[0]
    assert mime == "text/html"
    assert "Open in QMS" in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_sending_twice_emails_once(employee, notify):
    (notification,) = notify(employee)
    send_notification_email(notification.pk)
    assert len(mail.outbox) == 1


def test_sending_for_a_deleted_notification_does_nothing(employee, notify):
    (notification,) = notify(employee)
    notification.delete()
    send_notification_email(notification.pk)
    assert len(mail.outbox) == 1


def test_inactive_users_are_not_notified(employee, notify):
    employee.is_active = False
    employee.save()
    assert notify(employee) == []
    assert mail.outbox == []


def test_html_email_escapes_what_users_typed(employee, notify):
    notify(employee, subject="<script>alert(1)</script>")
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_notification_centre_lists_and_marks_read(client, employee, notify):
    notify(employee)
    notify(employee, subject="Second")
    client.force_login(employee)
    page = client.get("/notifications/").content.decode()
    assert "Please approve SOP-0007 rev 3" in page
    assert 'aria-label="Notifications, 2 unread"' in page
    first = Notification.objects.filter(recipient=employee).last()
    client.post("/notifications/read/", {"notification": [first.pk]})
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).count() == 1
    client.post("/notifications/read/", {"all": "1"})
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).count() == 0


def test_marking_selected_with_nothing_selected_marks_nothing(client, employee, notify):
    notify(employee)
    client.force_login(employee)
    response = client.post("/notifications/read/", {}, follow=True)
    assert b"Select the notifications to mark as read." in response.content
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).count() == 1


def test_nobody_sees_or_marks_another_users_notifications(employee, auditor, notify):
    (notification,) = notify(employee)
    client = api_as(auditor)
    assert client.get(f"/api/v1/notifications/{notification.pk}/").status_code == 404
    assert client.post("/api/v1/notifications/mark-read/", {"ids": [notification.pk]}).json() == {"marked": 0}
    notification.refresh_from_db()
    assert notification.read_at is None


def test_dashboard_shows_unread_notifications(client, employee, notify):
    notify(employee)
    client.force_login(employee)
    page = client.get("/").content.decode()
    assert "Unread notifications" in page
    assert "Please approve SOP-0007 rev 3" in page


def test_dashboard_has_a_helpful_empty_state(client):
    user = UserFactory(roles=["employee"])
    client.force_login(user)
    assert b"You are all caught up" in client.get("/").content


def test_opening_a_notification_marks_it_read_and_leads_to_its_record(client, employee, notify):
    (notification,) = notify(employee)
    client.force_login(employee)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/documents/"
    notification.refresh_from_db()
    assert notification.is_read


def test_nobody_opens_another_users_notification(client, employee, auditor, notify):
    (notification,) = notify(employee)
    client.force_login(auditor)
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_a_notification_never_redirects_off_site(client, employee):
    notification = Notification.objects.create(
        recipient=employee, kind="generic", subject="x", url="https://evil.example/"
    )
    client.force_login(employee)
    assert client.get(f"/notifications/{notification.pk}/")["Location"] == "/notifications/"
