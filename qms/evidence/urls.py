from django.urls import path

from qms.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.pack_list, name="index"),
    path("<int:pk>/row/", views.pack_row, name="row"),
    path("<int:pk>/download/", views.pack_download, name="download"),
    path("verify/", views.pack_verify, name="verify"),
]
