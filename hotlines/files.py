"""Channel files served through core.files: a chat-group screenshot to whoever may read chat-group reports; a
camera snapshot to whoever may read the camera records, or see the case it raised."""

from __future__ import annotations

from core.files import register


def _visible_screenshots(user):
    from hotlines.models import ChatGroupReport

    if user.has_perm("hotlines.view_chatgroupreport"):
        return ChatGroupReport.objects.all()
    return ChatGroupReport.objects.none()


def _visible_snapshots(user):
    from cases.models import Case
    from hotlines.models import VideoCase

    if user.has_perm("hotlines.view_videocase") or user.has_perm("hotlines.view_camera"):
        return VideoCase.objects.all()
    return VideoCase.objects.filter(case__in=Case.objects.visible_to(user))


register("chat_groups/", "hotlines.ChatGroupReport", "screenshot", visible=_visible_screenshots)
register("video_snapshots/", "hotlines.VideoCase", "snapshot", visible=_visible_snapshots)
