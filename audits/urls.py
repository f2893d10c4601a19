from django.urls import path

from audits import views

app_name = "audits"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("findings/", views.findings, name="findings"),
    path("checklist-templates/", views.checklist_templates, name="checklist-templates"),
    path("findings.csv", views.findings_csv, name="findings-csv"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/report-ready/", views.report_ready, name="report-ready"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/findings/", views.add_finding, name="add-finding"),
    path("<int:pk>/checklist/<int:item_pk>/", views.answer, name="answer"),
    path("<int:pk>/checklist/<int:item_pk>/finding/", views.finding_from_item, name="finding-from-item"),
    path("<int:pk>/checklist/<int:item_pk>/evidence/", views.add_evidence, name="add-evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence-download"),
    path("<int:pk>/report/", views.generate_report, name="generate-report"),
    path("<int:pk>/reports/<int:report_pk>/download/", views.report_download, name="report-download"),
]
