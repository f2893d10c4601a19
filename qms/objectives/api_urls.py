from rest_framework.routers import SimpleRouter

from qms.objectives import api

router = SimpleRouter()
router.register("quality-objectives", api.ObjectiveViewSet, basename="quality-objective")

urlpatterns = router.urls
