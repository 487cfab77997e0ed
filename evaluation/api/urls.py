"""REST API of the evaluation layer, mounted under /api/v1/. Each sub-domain adds its own paths."""

from django.urls import path

from core.api.routers import IdRouter
from evaluation.api import assessments as assessment_api
from evaluation.api import bulletins as bulletin_api
from evaluation.api import selfeval as selfeval_api
from evaluation.api import supervision as supervision_api

urlpatterns = [
    # Monthly bulletins
    path("bulletins/", bulletin_api.BulletinListView.as_view(), name="bulletin-list"),
    path("bulletins/<int:pk>/", bulletin_api.BulletinDetailView.as_view(), name="bulletin-detail"),
    path("bulletins/<int:pk>/workbook.xlsx", bulletin_api.BulletinWorkbookView.as_view(), name="bulletin-workbook"),
    path("indicators/", bulletin_api.IndicatorDefinitionsView.as_view(), name="indicator-definitions"),
    path("indicators/figures/", bulletin_api.PeriodFiguresView.as_view(), name="indicator-figures"),
    # Annual performance self-evaluation
    path("self-evaluations/", selfeval_api.SelfEvaluationListView.as_view(), name="self-evaluation-list"),
    path("self-evaluations/<int:pk>/", selfeval_api.SelfEvaluationDetailView.as_view(), name="self-evaluation-detail"),
    path(
        "self-evaluations/<int:pk>/workbook.xlsx",
        selfeval_api.SelfEvaluationWorkbookView.as_view(),
        name="self-evaluation-workbook",
    ),
]

# Supervision of the collectors and their company (督察)

supervision = IdRouter()
supervision.register("supervision/inspections", supervision_api.InspectionRecordViewSet, basename="inspection-record")
supervision.register("supervision/trainings", supervision_api.TrainingViewSet, basename="training")
supervision.register("supervision/collectors", supervision_api.CollectorViewSet, basename="supervised-collector")
supervision.register("supervision/assessments", assessment_api.AssessmentViewSet, basename="assessment")
urlpatterns += [
    *supervision.urls,
    path(
        "supervision/assessments/<int:pk>/workbook.xlsx",
        assessment_api.AssessmentWorkbookView.as_view(),
        name="assessment-workbook",
    ),
]
