"""Console pages of the core layer mounted under their own prefix."""

from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
]
