"""Console pages of the base map."""

from django.urls import path

from grids import views
from grids.patrol import views as patrol_views

app_name = "grids"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("components/<int:pk>/", views.component_attributes, name="component_attributes"),
    path("patrol/", patrol_views.patrol_page, name="patrol"),
]
