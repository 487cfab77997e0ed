"""Console pages of the case layer, mounted at /cases/."""

from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.console, name="console"),
    path("live/", views.live, name="live"),
    path("export.xlsx", views.export, name="export"),
    path("map/", views.case_map, name="map"),
    path("filters/grids.json", views.grids_json, name="filter_grids"),
    path("notifications/", views.notifications, name="notifications"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.act, name="act"),
]
