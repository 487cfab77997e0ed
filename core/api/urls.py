from django.urls import path

from core.api import views
from core.api.routers import IdDefaultRouter

router = IdDefaultRouter()
router.register("departments", views.DepartmentViewSet, basename="department")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
