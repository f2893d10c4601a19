from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "qms.objectives"
    label = "objectives"
    verbose_name = "Quality objectives"

    def ready(self) -> None:
        from qms.clauses import LinkedRecords, register_linked_records
        from qms.objectives.selectors import objectives_for_clause

        register_linked_records(
            LinkedRecords(
                label="Quality objectives",
                records_for=objectives_for_clause,
                empty_text="No quality objective names it.",
            )
        )
