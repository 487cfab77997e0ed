"""Heat tiles, mounted at /tiles/heat/ beside the base map's tiles."""

from django.urls import path

from evaluation.hotspots.views import HeatTileView

urlpatterns = [
    path("<int:z>/<int:x>/<int:y>.pbf", HeatTileView.as_view(), name="heat-tile"),
]
