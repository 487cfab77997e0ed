from django.urls import path, re_path

from exchange.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[0-9A-Za-z_-]{1,16})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_endpoint, name="requests"),
    re_path(r"^requests/(?P<request_id>[0-9A-Za-z_-]{1,30})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[0-9A-Za-z_-]{1,40})" + FMT, views.token, name="token"),
    path("media/<str:signed>", views.media, name="media"),
]
