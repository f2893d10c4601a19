from rest_framework.routers import SimpleRouter

from audits import api

router = SimpleRouter()
router.register("audits", api.AuditViewSet, basename="audit")
router.register("findings", api.FindingViewSet, basename="finding")
router.register("checklist-items", api.ChecklistItemViewSet, basename="checklist-item")
router.register("audit-reports", api.AuditReportViewSet, basename="audit-report")

router.register("audit-evidence", api.EvidenceFileViewSet, basename="audit-evidence")

urlpatterns = router.urls
