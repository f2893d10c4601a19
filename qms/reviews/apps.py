from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "qms.reviews"
    label = "reviews"
    verbose_name = "Management review"

    def ready(self) -> None:
        from qms import dashboard
        from qms.links import register_record_links
        from qms.reviews import panels

        for panel in (panels.to_sign_panel, panels.my_review_actions_panel):
            dashboard.register_panel(panel)
        # A CAPA or an idea that a review's action became names that action on its own page.
        register_record_links("capa", panels.capa_links)
        register_record_links("idea", panels.idea_links)
