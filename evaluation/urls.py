"""Console pages of the evaluation layer, mounted at /evaluation/. Each sub-domain adds its own paths."""

from django.urls import include, path

from evaluation.bulletins import views as bulletin_views
from evaluation.hotspots import views as hotspot_views

app_name = "evaluation"
urlpatterns = [
    # Monthly bulletins
    path("bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("bulletins/generate/", bulletin_views.bulletin_generate, name="bulletin_generate"),
    path("bulletins/<int:pk>/", bulletin_views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/workbook.xlsx", bulletin_views.bulletin_workbook, name="bulletin_workbook"),
    path("bulletins/<int:pk>/refresh/", bulletin_views.bulletin_refresh, name="bulletin_refresh"),
    path("bulletins/<int:pk>/publish/", bulletin_views.bulletin_publish, name="bulletin_publish"),
    # Hotspots (热点分析)
    path("hotspots/", hotspot_views.hotspot_page, name="hotspots"),
    path("hotspots/export.xlsx", hotspot_views.hotspot_export, name="hotspot_export"),
    # Annual performance self-evaluation (绩效自评)
    path("", include("evaluation.selfeval.urls")),
    # Supervision of the collectors and their company (督察、培训、采集公司月度考核)
    path("supervision/", include("evaluation.supervision.urls")),
]
