from rest_framework.routers import SimpleRouter

from hotlines.api.views import WorkOrderViewSet

router = SimpleRouter(trailing_slash=True)
router.register("hotline/orders", WorkOrderViewSet, basename="hotline-order")

urlpatterns = router.urls
