"""API routes of patrol tracks, mounted under /api/v1/patrol/."""

from django.urls import path

from grids.patrol import api

urlpatterns = [
    path("points/", api.PointsView.as_view(), name="patrol-points"),
    path("tracks/", api.TracksView.as_view(), name="patrol-tracks"),
    path("figures/", api.FiguresView.as_view(), name="patrol-figures"),
]
