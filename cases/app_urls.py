"""The collectors' app, mounted at /app/ (see cases/views/fieldapp.py)."""

from django.urls import path

from cases.views import fieldapp

urlpatterns = [
    path("", fieldapp.shell, name="fieldapp"),
    path("manifest.webmanifest", fieldapp.manifest, name="fieldapp-manifest"),
    path("sw.js", fieldapp.worker, name="fieldapp-worker"),
]
