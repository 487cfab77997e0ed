"""API routes of the base map: grid look-up, grids and components as GeoJSON (spatial services)."""

from django.urls import path

from core.api.routers import IdRouter
from grids.api import views

router = IdRouter()
router.register("components", views.ComponentViewSet, basename="component")

urlpatterns = [
    path("grids/lookup/", views.GridLookupView.as_view(), name="grid-lookup"),
    path("grids/", views.GridGeoJSONView.as_view(), name="grid-geojson"),
    *router.urls,
]
