"""API routes of the taxonomy: classes with their filing conditions and limits."""

urlpatterns: list = []
