from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from qms import two_factor, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/two-factor/", two_factor.verify, name="two-factor"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_mark_read, name="notifications-mark-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("clauses/", views.clause_list, name="clause-list"),
    path("clauses/<str:number>/", views.clause_detail, name="clause-detail"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/history/", views.user_history, name="user-history"),
    path("users/<int:pk>/two-factor/reset/", views.user_two_factor_reset, name="user-two-factor-reset"),
    path("departments/", views.department_list, name="department-list"),
    path("jobs/<int:pk>/", views.job_progress, name="job-detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("documents/", include("documents.urls")),
    path("audits/", include("audits.urls")),
    path("capa/", include("capa.urls")),
    path("improvement/", include("improvement.urls")),
    path("maturity/", include("qms.maturity.urls")),
    path("performance/", include("qms.performance.urls")),
    path("management-reviews/", include("qms.reviews.urls")),
    path("objectives/", include("qms.objectives.urls")),
    path("evidence-packs/", include("qms.evidence.urls")),
    path("imports/", include("qms.imports.urls")),
    # Namespaced, so the router's names ("user-list", "clause-detail") never shadow the browser pages' names.
    path("api/v1/", include(("qms.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "qms.views.page_not_found"
handler500 = "qms.views.server_error"
