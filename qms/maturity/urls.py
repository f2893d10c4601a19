from django.urls import path

from qms.maturity import views

app_name = "maturity"
urlpatterns = [
    path("", views.index, name="index"),
]
