"""Console pages of the hotline layer, mounted at /hotlines/."""

from django.urls import path

from hotlines import views

app_name = "hotlines"
urlpatterns = [
    path("", views.console, name="console"),
    path("new/", views.new_order, name="new"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.act, name="act"),
]
