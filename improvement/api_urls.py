from django.urls import path
from rest_framework.routers import SimpleRouter

from improvement import api

router = SimpleRouter()
router.register("ideas", api.IdeaViewSet, basename="idea")

urlpatterns = [
    # spec/api.md: `POST /findings/{id}/raise-idea/` (like `raise-capa`); a CAPA's preventive idea the same way.
    path("findings/<int:pk>/raise-idea/", api.IdeaFromFindingView.as_view(), name="finding-raise-idea"),
    path("capas/<int:pk>/raise-idea/", api.IdeaFromCapaView.as_view(), name="capa-raise-idea"),
    *router.urls,
]
