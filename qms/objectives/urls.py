from django.urls import path

from qms.objectives import views

app_name = "objectives"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/measurements/", views.record, name="record"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/history/", views.history, name="history"),
]
