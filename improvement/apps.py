from typing import Any

from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "improvement"
    verbose_name = "Continual improvement"

    def ready(self) -> None:
        from improvement import panels
        from qms import dashboard
        from qms.links import register_record_links

        for panel in (panels.championed_panel, panels.decisions_panel, panels.your_ideas_panel):
            dashboard.register_panel(panel)
        # Ideas name no clause, so the clause browser gets no linked records from this module.
        register_record_links("finding", panels.finding_links)
        register_record_links("capa", panels.capa_links)

        from documents.models import Revision
        from documents.signals import revision_became_effective

        revision_became_effective.connect(_tell_champions, sender=Revision, dispatch_uid="improvement-ideas")


def _tell_champions(sender: Any, revision: Any, **kwargs: Any) -> None:
    from improvement.services import ideas_told_change_effective

    ideas_told_change_effective(revision)
