from rest_framework.routers import SimpleRouter

from qms.reviews import api

router = SimpleRouter()
router.register("management-reviews", api.ManagementReviewViewSet, basename="management-review")
router.register("management-review-actions", api.ReviewActionViewSet, basename="management-review-action")

urlpatterns = router.urls
