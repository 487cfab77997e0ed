"""Paths of supervision (included by evaluation/urls.py under /evaluation/supervision/)."""

from django.urls import path

from evaluation.supervision import views

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/reverse/", views.inspection_reverse, name="inspection_reverse"),
    path("inspections/<int:pk>/correct/", views.inspection_correct, name="inspection_correct"),
    path("trainings/", views.training_list, name="trainings"),
    path("collectors/", views.collector_list, name="collectors"),
]
urlpatterns += [
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/workbook.xlsx", views.assessment_workbook, name="assessment_workbook"),
    path(
        "assessments/<int:pk>/<str:action>/",
        views.assessment_action,
        name="assessment_action",
    ),
]
