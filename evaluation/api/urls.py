"""REST API of the evaluation layer, mounted under /api/v1/. Each sub-domain adds its own paths."""

from django.urls import path

from evaluation.api import bulletins as bulletin_api
from evaluation.api import selfeval as selfeval_api

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
