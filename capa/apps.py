from typing import Any

from django.apps import AppConfig


class CapaConfig(AppConfig):
    name = "capa"
    verbose_name = "Nonconformity and CAPA"

    def ready(self) -> None:
        from capa import panels
        from documents.models import Revision
        from documents.signals import revision_became_effective
        from qms import dashboard
        from qms.clauses import LinkedRecords, register_linked_records
        from qms.links import register_record_links

        revision_became_effective.connect(_complete_document_actions, sender=Revision, dispatch_uid="capa-actions")
        for panel in (panels.my_actions_panel, panels.my_capas_panel, panels.triage_panel):
            dashboard.register_panel(panel)
        register_linked_records(
            LinkedRecords(label="CAPAs", records_for=panels.capas_for_clause, empty_text="No CAPA against it.")
        )
        register_linked_records(
            LinkedRecords(
                label="Nonconformities",
                records_for=panels.nonconformities_for_clause,
                empty_text="No nonconformity logged against it.",
            )
        )
        register_record_links("finding", panels.finding_links)


def _complete_document_actions(sender: Any, revision: Any, **kwargs: Any) -> None:
    from capa.services import actions_complete_for_revision

    actions_complete_for_revision(revision)
