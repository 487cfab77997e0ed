from core.api.routers import IdRouter
from hotlines.api.views import WorkOrderViewSet
from hotlines.channels.api import CameraViewSet, ChatReportViewSet, InspectionViewSet, OnlineOpinionViewSet

router = IdRouter()
router.register("hotline/orders", WorkOrderViewSet, basename="hotline-order")
router.register("channels/online-opinions", OnlineOpinionViewSet, basename="channel-opinion")
router.register("channels/inspections", InspectionViewSet, basename="channel-inspection")
router.register("channels/chat-reports", ChatReportViewSet, basename="channel-chat-report")
router.register("channels/cameras", CameraViewSet, basename="channel-camera")

urlpatterns = router.urls
