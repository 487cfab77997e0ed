"""Console pages of the hotline layer, mounted at /hotlines/."""

from django.urls import path

from hotlines import views
from hotlines.channels import views as channel_views

app_name = "hotlines"
urlpatterns = [
    path("", views.console, name="console"),
    path("new/", views.new_order, name="new"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.act, name="act"),
    # The other intake channels (hotlines.channels.views).
    path("channels/", channel_views.index, name="channels"),
    path("channels/opinions/", channel_views.opinion_list, name="opinion_list"),
    path("channels/opinions/new/", channel_views.opinion_new, name="opinion_new"),
    path("channels/opinions/<int:pk>/", channel_views.opinion_detail, name="opinion_detail"),
    path("channels/opinions/<int:pk>/reply/", channel_views.opinion_reply, name="opinion_reply"),
    path("channels/inspections/", channel_views.inspection_list, name="inspection_list"),
    path("channels/inspections/new/", channel_views.inspection_new, name="inspection_new"),
    path("channels/inspections/<int:pk>/", channel_views.inspection_detail, name="inspection_detail"),
    path("channels/inspections/<int:pk>/problems/", channel_views.inspection_add_problem, name="inspection_problem"),
    path(
        "channels/inspections/<int:pk>/rectifications/",
        channel_views.inspection_add_rectification,
        name="inspection_rectification",
    ),
    path("channels/chat/", channel_views.chat_list, name="chat_list"),
    path("channels/chat/new/", channel_views.chat_new, name="chat_new"),
    path("channels/chat/<int:pk>/", channel_views.chat_detail, name="chat_detail"),
    path("channels/chat/<int:pk>/screenshot/", channel_views.chat_screenshot, name="chat_screenshot"),
    path("channels/cameras/", channel_views.camera_list, name="camera_list"),
    path("channels/cameras/<int:pk>/", channel_views.camera_detail, name="camera_detail"),
    path("channels/cameras/<int:pk>/cases/", channel_views.camera_case, name="camera_case"),
]
