"""Vector tiles of the base map (Mapbox Vector Tiles made by PostGIS ST_AsMVT)."""

from django.urls import path

from grids.tiles import ComponentTileView

urlpatterns = [
    path("components/<int:z>/<int:x>/<int:y>.pbf", ComponentTileView.as_view(), name="component-tile"),
]
