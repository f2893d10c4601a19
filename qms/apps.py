from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = "QMS shared base"

    def ready(self) -> None:
        from qms import dashboard
        from qms.trail import chain, database

        dashboard.register_panel(dashboard.unread_notifications_panel)
        chain.connect()
        post_migrate.connect(database.install_append_only_triggers, sender=self, dispatch_uid="trail-append-only")
