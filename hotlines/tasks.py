"""Celery tasks of the hotline layer.

``notify_overdue`` (beat, every five minutes) tells the handlers of a department that an order it holds has run
past its deadline (超期未办结). One notification per order and deadline: the dedupe key carries both, so re-runs
notify nobody twice and an extended order is announced again only if it runs late once more."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotlines.choices import WITH_DEPARTMENT
from hotlines.models import WorkOrder

# Who in a department hears of its late orders: the members who handle orders there.
HANDLE_PERMISSION = "hotlines.handle_workorder"
MESSAGE = _("Hotline order %(no)s is overdue (due %(deadline)s)")


@shared_task
def notify_overdue() -> int:
    """Notify department handlers of their overdue orders; returns how many notifications were written."""
    from core.notifications import build, render, send_notifications, users_with_permission
    from hotlines.services import order_url

    now = timezone.now()
    late = list(
        WorkOrder.objects.filter(status__in=sorted(WITH_DEPARTMENT), deadline__lt=now, department__isnull=False)
        .select_related("hotline")
        .only("pk", "external_no", "deadline", "department_id", "hotline__code")
    )
    if not late:
        return 0
    handlers: dict[int, list[int]] = {}
    for pk, department_id in (
        users_with_permission(HANDLE_PERMISSION)
        .filter(department_id__in={o.department_id for o in late})
        .values_list("pk", "department_id")
    ):
        handlers.setdefault(department_id, []).append(pk)
    rows = []
    for order in late:
        text = render(MESSAGE, no=str(order), deadline=timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M"))
        key = f"wo-overdue:{order.pk}:{int(order.deadline.timestamp())}"
        rows += build(handlers.get(order.department_id, []), "workorder_overdue", text, order_url(order.pk), key)
    return send_notifications(rows)
