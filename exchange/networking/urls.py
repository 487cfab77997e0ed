"""URLs of the networking, under /exchange/ (citymgmt/urls.py)."""

from django.urls import path

from exchange.networking import views

app_name = "networking"
urlpatterns = [path("inbound/", views.inbound, name="inbound")]
