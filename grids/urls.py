"""Console pages of the base map."""

app_name = "grids"
urlpatterns: list = []
