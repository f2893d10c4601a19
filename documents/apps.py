from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Document control"

    def ready(self) -> None:
        from documents import panels
        from qms import dashboard
        from qms.clauses import LinkedRecords, register_linked_records

        for panel in (panels.approvals_panel, panels.acknowledgements_panel, panels.reviews_panel, panels.drafts_panel):
            dashboard.register_panel(panel)
        register_linked_records(
            LinkedRecords(
                label="Controlled documents",
                records_for=panels.documents_for_clause,
                empty_text="No controlled document names this clause yet.",
            )
        )
