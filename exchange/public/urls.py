from django.urls import path

from exchange.public import views

app_name = "public"

urlpatterns = [
    path("", views.report, name="report"),
    path("t/<slug:token>/", views.track, name="track"),
    path("t/<slug:token>/photos/<int:pk>", views.photo, name="photo"),
]
