from django.urls import path

from capa import views

app_name = "capa"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("raise/finding/<int:finding_pk>/", views.raise_from_finding, name="raise-from-finding"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/summary.pdf", views.summary_pdf, name="summary-pdf"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/containment/", views.containment, name="containment"),
    path("<int:pk>/analysis/", views.analysis, name="analysis"),
    path("<int:pk>/advance/", views.advance, name="advance"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/actions/", views.add_action, name="add-action"),
    path("<int:pk>/actions/<int:action_pk>/complete/", views.complete_action, name="complete-action"),
    path("<int:pk>/actions/<int:action_pk>/cancel/", views.cancel_action, name="cancel-action"),
    path("<int:pk>/evidence/<int:file_pk>/", views.evidence_download, name="evidence-download"),
    path("nonconformities/", views.nonconformities, name="nonconformities"),
    path("nonconformities/new/", views.report_nonconformity, name="report-nonconformity"),
    path("nonconformities/<int:pk>/", views.nonconformity_detail, name="nonconformity"),
    path("nonconformities/<int:pk>/close/", views.nonconformity_close, name="nonconformity-close"),
    path("nonconformities/<int:pk>/escalate/", views.nonconformity_escalate, name="nonconformity-escalate"),
    path("nonconformities/<int:pk>/history/", views.nonconformity_history, name="nonconformity-history"),
]
