from django.urls import path

from core.api import auth, views
from core.api.routers import IdDefaultRouter

router = IdDefaultRouter()
router.register("departments", views.DepartmentViewSet, basename="department")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("export-jobs/<int:pk>/", views.ExportJobView.as_view(), name="api-export-job"),
    path("export-jobs/<int:pk>/download/", views.ExportJobDownloadView.as_view(), name="api-export-job-download"),
    *router.urls,
]
