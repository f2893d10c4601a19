from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = "QMS shared base"

    def ready(self) -> None:
        from qms import dashboard, sessions, two_factor
        from qms.trail import chain, database

        dashboard.register_panel(dashboard.unread_notifications_panel)
        chain.connect()
        user_logged_in.connect(sessions.stamp_sign_in, dispatch_uid="session-signed-in-at")
        user_logged_in.connect(two_factor.remember_device, dispatch_uid="two-factor-device")
        post_migrate.connect(database.install_append_only_triggers, sender=self, dispatch_uid="trail-append-only")
