from django.urls import path

from capa import views

app_name = "capa"
urlpatterns = [
    path("", views.index, name="index"),
]
