"""The presence check (在岗监测), run by beat every minute while shifts are under way.

A collector counts as on duty once they have sent a position during a shift that is under way. Then:

- *left the duty area* (离岗): every position of the last ``PATROL_LEFT_AREA_MINUTES`` lies outside their duty grids;
- *silent* (信号中断): no position for ``PATROL_SILENT_MINUTES``.

Each is an episode (``PatrolAlert``): opened once — and then every user holding ``grids.receive_patrol_alerts`` (the
shift leaders) gets one notification — and closed by the first check that no longer finds it. A second run in the
same minute finds the open episode and notifies nobody again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.notifications import build, send_notifications, users_with_permission
from grids.patrol.figures import duty_areas, shift_window
from grids.patrol.models import AlertKind, PatrolAlert, PatrolShift

ALERT_PERMISSION = "grids.receive_patrol_alerts"

_LATEST_SQL = f"""
WITH {duty_areas()}
SELECT p.collector_id, max(p.recorded_at),
       bool_or(p.recorded_at >= %(recent)s AND COALESCE(ST_Covers(duty.geom, p.location), false)),
       bool_or(p.recorded_at >= %(recent)s)
FROM grids_trackpoint p JOIN duty USING (collector_id)
WHERE p.recorded_at >= %(since)s AND p.recorded_at <= %(now)s
GROUP BY p.collector_id
"""


def shifts_under_way(now: datetime) -> list[tuple[datetime, datetime]]:
    today = timezone.localtime(now).date()
    windows = []
    for shift in PatrolShift.objects.filter(is_active=True):
        for day in (today - timedelta(days=1), today):
            start, end = shift_window(shift, day)
            if start <= now < end:
                windows.append((start, end))
    return windows


def check_presence(now: datetime | None = None) -> dict:
    """Open and close episodes; answers {"opened": n, "closed": n}."""
    now = now or timezone.now()
    windows = shifts_under_way(now)
    found: dict[tuple[int, str], datetime] = {}
    if windows:
        since = min(start for start, _end in windows)
        recent = now - timedelta(minutes=settings.PATROL_LEFT_AREA_MINUTES)
        silent_after = timedelta(minutes=settings.PATROL_SILENT_MINUTES)
        with connection.cursor() as cursor:
            cursor.execute(_LATEST_SQL, {"since": since, "recent": recent, "now": now})
            for collector_id, last, any_inside_recently, any_recently in cursor.fetchall():
                if now - last >= silent_after:
                    found[(collector_id, AlertKind.SILENT)] = last
                elif any_recently and not any_inside_recently:
                    found[(collector_id, AlertKind.LEFT_AREA)] = recent
    opened = closed = 0
    with transaction.atomic():
        for alert in PatrolAlert.objects.select_for_update().filter(ended_at__isnull=True):
            if found.pop((alert.collector_id, alert.kind), None) is None:
                alert.ended_at = now
                alert.save(update_fields=["ended_at"])
                closed += 1
        new = [PatrolAlert(collector_id=c, kind=k, started_at=began, found_at=now) for (c, k), began in found.items()]
        PatrolAlert.objects.bulk_create(new, ignore_conflicts=True)
        fresh = list(PatrolAlert.objects.filter(found_at=now, ended_at__isnull=True).select_related("collector"))
        opened = len(fresh)
        if fresh:
            transaction.on_commit(lambda: _notify(fresh))
    return {"opened": opened, "closed": closed}


def _message(alert: PatrolAlert) -> str:
    who = alert.collector.get_full_name() or alert.collector.username
    since = timezone.localtime(alert.started_at).strftime("%H:%M")
    if alert.kind == AlertKind.SILENT:
        return _("%(who)s: no position since %(since)s.") % {"who": who, "since": since}
    return _("%(who)s has been outside the duty grids since %(since)s.") % {"who": who, "since": since}


def _notify(alerts: list[PatrolAlert]) -> None:
    leaders = list(users_with_permission(ALERT_PERMISSION))
    try:
        url = reverse("grids:patrol")
    except NoReverseMatch:
        url = ""
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for alert in alerts:
            day = timezone.localtime(alert.found_at).date().isoformat()
            link = f"{url}?date={day}&collector={alert.collector_id}" if url else ""
            rows += build(leaders, "patrol_alert", _message(alert), link, f"patrol-alert:{alert.pk}")
    send_notifications(rows)
