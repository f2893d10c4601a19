from django.urls import include, path
from rest_framework.routers import DefaultRouter

from qms.api import views

router = DefaultRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("clauses", views.ClauseViewSet, basename="clause")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("", include(router.urls)),
    path("", include("documents.api_urls")),
    path("", include("audits.api_urls")),
    path("", include("capa.api_urls")),
    path("", include("improvement.api_urls")),
    path("", include("qms.reviews.api_urls")),
    path("", include("qms.evidence.api")),
    path("", include("qms.objectives.api_urls")),
]
