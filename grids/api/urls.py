"""API routes of the base map: grid look-up, grids and components as GeoJSON (spatial services)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from grids.api import views

router = SimpleRouter(trailing_slash=True)
router.register("components", views.ComponentViewSet, basename="component")

urlpatterns = [
    path("grids/lookup/", views.GridLookupView.as_view(), name="grid-lookup"),
    path("grids/", views.GridGeoJSONView.as_view(), name="grid-geojson"),
    *router.urls,
]
