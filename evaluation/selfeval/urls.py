"""Paths of the self-evaluation finance page (included by evaluation/urls.py under /evaluation/)."""

from django.urls import path

from evaluation.selfeval import views

urlpatterns = [
    path("self-evaluations/", views.self_evaluation_list, name="self_evaluations"),
    path("self-evaluations/<int:pk>/", views.self_evaluation_detail, name="self_evaluation"),
    path("self-evaluations/<int:pk>/recompute/", views.self_evaluation_recompute, name="self_evaluation_recompute"),
    path(
        "self-evaluations/<int:pk>/recompute/status.json",
        views.self_evaluation_refresh_status,
        name="self_evaluation_refresh_status",
    ),
    path("self-evaluations/<int:pk>/check/", views.self_evaluation_check, name="self_evaluation_check"),
    path("self-evaluations/<int:pk>/adopt/", views.self_evaluation_adopt, name="self_evaluation_adopt"),
    path("self-evaluations/<int:pk>/import/", views.self_evaluation_import, name="self_evaluation_import"),
    path("self-evaluations/<int:pk>/workbook.xlsx", views.self_evaluation_workbook, name="self_evaluation_workbook"),
]
