"""URL map: console pages, the admin, the REST API under /api/v1/ and its OpenAPI documents."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import account
from core import files as core_files
from core import views as core_views
from core.messaging import views as messaging_views
from evaluation.dashboard import views as dashboard_views

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("grids.api.urls")),
    path("", include("grids.taxonomy.api.urls")),
    path("patrol/", include("grids.patrol.urls")),
    path("", include("cases.api.urls")),
    path("", include("evaluation.api.urls")),
    path("", include("hotlines.api.urls")),
]

urlpatterns = [
    # The role home pages read every layer (cases, hotlines, evaluation): they live in the highest one.
    path("", dashboard_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("imports/<int:pk>/", core_views.import_job, name="import_job"),
    path("imports/<int:pk>/progress.json", core_views.import_job_progress, name="import_job_progress"),
    path("exports/<int:pk>/", core_views.export_job, name="export_job"),
    path("exports/<int:pk>/progress.json", core_views.export_job_progress, name="export_job_progress"),
    path("exports/<int:pk>/download/", core_views.export_job_download, name="export_job_download"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", account.PasswordChangeView.as_view(), name="password-change"),
    path("account/tokens/", account.token_list, name="account-tokens"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="account-token-revoke"),
    path("account/notifications/", messaging_views.preferences, name="account-notifications"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),  # remembers a signed-in user's choice
    path("admin/", admin.site.urls),
    path("audit/", include("core.urls")),
    path("map/", include("grids.urls")),
    path("cases/", include("cases.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("hotlines/", include("hotlines.urls")),
    path("tiles/heat/", include("evaluation.hotspots.tile_urls")),  # 热点分析: above the base map's tiles
    path("tiles/", include("grids.tile_urls")),
    path("app/", include("cases.app_urls")),  # the collectors' phone app (a PWA over the API)
    path("screen/", include("evaluation.screen.urls")),  # 指挥大屏 and its kiosk keys
    path("exchange/", include("exchange.networking.urls")),  # upper platforms post 督办 here (signed)
    # Photos, screenshots and snapshots, behind their record's permissions; there is no public /media/ route.
    path("files/<path:name>", core_files.serve, name="protected-file"),
    path("api/v1/", include(api_v1)),
    # The public: Open311 GeoReport v2 for peer systems and city apps, and the citizens' report page (全民参与).
    path("open311/v2/", include("exchange.open311.urls")),
    path("report/", include("exchange.public.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: no inline script for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "core.api.exceptions.not_found"
