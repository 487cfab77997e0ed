"""URL map: console pages, the admin, the REST API under /api/v1/ and its OpenAPI documents."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core import views as core_views

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("grids.api.urls")),
    path("", include("grids.api.taxonomy_urls")),
    path("", include("cases.api.urls")),
    path("", include("evaluation.api.urls")),
    path("", include("hotlines.api.urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("map/", include("grids.urls")),
    path("cases/", include("cases.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("hotlines/", include("hotlines.urls")),
    path("tiles/", include("grids.tile_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

handler404 = "core.api.exceptions.not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
