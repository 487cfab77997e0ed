from rest_framework.routers import SimpleRouter

from hotlines.api.channels import CameraViewSet, ChatReportViewSet, InspectionViewSet, OnlineOpinionViewSet
from hotlines.api.views import WorkOrderViewSet

router = SimpleRouter(trailing_slash=True)
router.register("hotline/orders", WorkOrderViewSet, basename="hotline-order")
router.register("channels/online-opinions", OnlineOpinionViewSet, basename="channel-opinion")
router.register("channels/inspections", InspectionViewSet, basename="channel-inspection")
router.register("channels/chat-reports", ChatReportViewSet, basename="channel-chat-report")
router.register("channels/cameras", CameraViewSet, basename="channel-camera")

urlpatterns = router.urls
