from rest_framework.routers import SimpleRouter

from documents import api

router = SimpleRouter()
router.register("documents", api.DocumentViewSet, basename="document")
router.register("revisions", api.RevisionViewSet, basename="revision")
router.register("change-requests", api.ChangeRequestViewSet, basename="change-request")
router.register("document-types", api.DocumentTypeViewSet, basename="document-type")

urlpatterns = router.urls
