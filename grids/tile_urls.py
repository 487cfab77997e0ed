"""Vector tiles of the base map (Mapbox Vector Tiles made by PostGIS ST_AsMVT)."""

urlpatterns: list = []
