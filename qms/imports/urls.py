from django.urls import path

from qms.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="index"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/status/", views.import_status, name="status"),
    path("<int:pk>/start/", views.import_start, name="start"),
    path("<str:kind>/template.csv", views.template, name="template"),
    path("<str:kind>/second-template.csv", views.second_template, name="second-template"),
    path("<str:kind>/sample.zip", views.sample, name="sample"),
    path("<str:kind>/export.csv", views.export, name="export"),
    path("<str:kind>/second-export.csv", views.second_export, name="second-export"),
]
