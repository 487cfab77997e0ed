"""API routes of the taxonomy: classes with their filing conditions and limits."""

from django.urls import path

from grids.taxonomy.api.views import TaxonomyView

urlpatterns = [
    path("taxonomy/", TaxonomyView.as_view(), name="api-taxonomy"),
]
