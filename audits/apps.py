from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Internal audits"

    def ready(self) -> None:
        from audits import panels
        from qms import dashboard
        from qms.clauses import LinkedRecords, register_linked_records

        dashboard.register_panel(panels.my_audits_panel)
        register_linked_records(
            LinkedRecords(
                label="Internal audits",
                records_for=panels.audits_for_clause,
                empty_text="No audit has this clause among its criteria yet.",
            )
        )
        register_linked_records(
            LinkedRecords(
                label="Audit findings", records_for=panels.findings_for_clause, empty_text="No finding against it."
            )
        )
