"""The recognition pages and the one-step links from audits and CAPA, added to `improvement/urls.py`'s list (and so
to its "improvement" namespace) with `*recognition_urlpatterns`."""

from django.urls import path

from improvement import recognition

recognition_urlpatterns = [
    path("wins/", recognition.wins, name="wins"),
    path("participation/", recognition.participation, name="participation"),
    path("me/", recognition.contributions, name="contributions"),
    path("from-finding/<int:finding_pk>/", recognition.idea_from_finding, name="from-finding"),
    path("from-capa/<int:capa_pk>/", recognition.idea_from_capa, name="from-capa"),
]
