"""The command big screen, mounted at /screen/."""

from django.urls import path

from evaluation.screen import views

app_name = "screen"
urlpatterns = [
    path("", views.screen_page, name="page"),
    path("data.json", views.screen_data, name="data"),
    path("grids.json", views.screen_grids, name="grids"),
    path("heat/<int:z>/<int:x>/<int:y>.pbf", views.screen_heat, name="heat"),
    path("base/<int:z>/<int:x>/<int:y>.pbf", views.screen_base, name="base"),
    path("keys/", views.key_list, name="keys"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("k/<str:token>/", views.kiosk_page, name="kiosk"),
    path("k/<str:token>/data.json", views.kiosk_data, name="kiosk_data"),
    path("k/<str:token>/grids.json", views.kiosk_grids, name="kiosk_grids"),
    path("k/<str:token>/base/<int:z>/<int:x>/<int:y>.pbf", views.kiosk_base, name="kiosk_base"),
    path("k/<str:token>/heat/<int:z>/<int:x>/<int:y>.pbf", views.kiosk_heat, name="kiosk_heat"),
]
