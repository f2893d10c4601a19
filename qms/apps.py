from django.apps import AppConfig


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = "QMS shared base"

    def ready(self) -> None:
        from qms import dashboard

        dashboard.register_panel(dashboard.unread_notifications_panel)
