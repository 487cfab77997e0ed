"""The home page (工作台): one page whose panels follow the user's permissions (see ``panels``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.dashboard import panels


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    context: dict = {"now": now, "today": today, "notifications": panels.notification_panel(user)}
    sees_cases = user.has_perm("cases.view_case")
    # The centre and the departments get the queues and today's figures; a collector's page is their own work.
    if sees_cases and (user.has_perm("cases.view_all_cases") or user.has_perm("cases.dispose_case")):
        context["queues"] = panels.queue_panel(user, now)
        context["today_figures"] = panels.today_panel(user, today)
        trend = panels.intake_trend(user, today)
        context["charts"] = {
            "trend": trend,
            "channels": [
                {"label": c["label"], "count": c["count"]} for c in context["today_figures"]["channels"] if c["count"]
            ],
        }
    if user.has_perm("cases.dispose_case") and user.department_id:
        context["handler"] = panels.handler_panel(user, now)
    if user.has_perm("cases.verify_case") and not user.has_perm("cases.view_all_cases"):
        context["collector"] = panels.collector_panel(user, today, now)
    if user.has_perm("evaluation.view_bulletin") and user.has_perm("cases.view_all_cases"):
        context["month"] = panels.month_panel(today)
    if user.has_perm("evaluation.view_selfevaluation") and not sees_cases:
        context["self_evaluations"] = panels.finance_panel()
    if user.has_perm("evaluation.view_bulletin"):
        from evaluation.models import Bulletin

        context["latest_bulletin"] = Bulletin.objects.order_by("-period_start").first()
    context["chart_text"] = {
        "reported": _("Reported"),
        "closed": _("Closed"),
        "received": _("Received today"),
        "unit": _("cases (count)"),
    }
    return render(request, "evaluation/home.html", context)
