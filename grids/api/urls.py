"""API routes of the base map: grid look-up, grids and components as GeoJSON (spatial services)."""

urlpatterns: list = []
