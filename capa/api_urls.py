from django.urls import path
from rest_framework.routers import SimpleRouter

from capa import api

router = SimpleRouter()
router.register("capas", api.CapaViewSet, basename="capa")
router.register("capa-actions", api.CapaActionViewSet, basename="capa-action")
router.register("nonconformities", api.NonconformityViewSet, basename="nonconformity")

urlpatterns = [
    path("findings/<int:pk>/raise-capa/", api.RaiseCapaView.as_view(), name="finding-raise-capa"),
    *router.urls,
]
