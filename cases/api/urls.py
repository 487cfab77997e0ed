from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api.views import CaseViewSet, TaskListView

router = SimpleRouter(trailing_slash=True)
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [path("tasks/", TaskListView.as_view(), name="case-tasks"), *router.urls]
