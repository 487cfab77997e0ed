"""Vector tiles of the map (Mapbox Vector Tiles made by PostGIS ST_AsMVT): components and the base map."""

from django.urls import path

from grids.basemap.tiles import BaseTileView
from grids.tiles import ComponentTileView

urlpatterns = [
    path("components/<int:z>/<int:x>/<int:y>.pbf", ComponentTileView.as_view(), name="component-tile"),
    path("base/<int:z>/<int:x>/<int:y>.pbf", BaseTileView.as_view(), name="base-tile"),
]
