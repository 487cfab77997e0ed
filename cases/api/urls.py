from django.urls import path

from cases.api.views import CaseViewSet, TaskListView
from core.api.routers import IdRouter

router = IdRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [path("tasks/", TaskListView.as_view(), name="case-tasks"), *router.urls]
