"""Hotline work orders (12345/12319) with their immutable timeline and their time limits; the models of the other
intake channels live in ``hotlines.channels.models`` and are re-exported here.

A work order's ``status`` changes only through ``hotlines.services`` (one function per transition); every change
writes a ``WorkOrderEvent``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimelineEvent
from grids.choices import Urgency
from hotlines.choices import OrderStatus, OrderType, Satisfaction
from hotlines.querysets import WorkOrderQuerySet


class Hotline(models.Model):
    """A hotline the centre takes orders from (12345, 12319, or a local line)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Which case source a case converted from this line's orders carries.
    case_source = models.CharField(_("case source"), max_length=20, default="hotline_12345")
    send_back_limit_days = models.DecimalField(
        _("send-back limit (working days after transfer)"), max_digits=5, decimal_places=2, default=Decimal(2)
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrderTimeLimit(models.Model):
    """The handling limit of an order type in working days (admin-editable). 0 means "the same day"."""

    order_type = models.CharField(_("order type"), max_length=20, choices=OrderType.choices, unique=True)
    working_days = models.DecimalField(_("working days"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("order time limit")
        verbose_name_plural = _("order time limits")
        ordering = ["order_type"]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()}: {self.working_days}"


class WorkOrder(models.Model):
    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.PROTECT, related_name="orders")
    external_no = models.CharField(_("order number"), max_length=50)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    caller_name = models.CharField(_("caller name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=30, blank=True)
    order_type = models.CharField(_("type"), max_length=20, choices=OrderType.choices, default=OrderType.OTHER)
    content = models.TextField(_("content"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    # Snapshot of the unit grid the point lay in when the order was received (blank when unknown or outside).
    grid_code = models.CharField(_("grid code"), max_length=15, blank=True, db_index=True)
    community_code = models.CharField(_("community code"), max_length=12, blank=True)
    street_code = models.CharField(_("street code"), max_length=9, blank=True, db_index=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.RECEIVED)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("linked case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_orders",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)
    completed_on_time = models.BooleanField(_("completed on time"), null=True, blank=True)
    direct_answer = models.BooleanField(_("answered directly"), default=False)

    # A department's pending extension request (申请延期), decided by the centre (extend / deny_extension).
    extension_requested_days = models.DecimalField(
        _("extension requested (working days)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    extension_request_reason = models.TextField(_("extension request reason"), blank=True)

    redo_count = models.PositiveSmallIntegerField(_("redo count"), default=0)
    send_back_count = models.PositiveSmallIntegerField(_("send-back count"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extension count"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urge count"), default=0)
    is_urged = models.BooleanField(_("urged"), default=False)

    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("receive_workorder", _("Can receive hotline orders and answer them directly")),
            ("transfer_workorder", _("Can transfer orders, convert them to cases, extend and complete them")),
            ("visit_workorder", _("Can record return visits")),
            ("handle_workorder", _("Can sign, handle, reply to and send back orders for a department")),
            ("urge_workorder", _("Can urge orders")),
            ("view_caller_phone", _("Can see callers' full phone numbers")),
            ("view_all_workorders", _("Can see every work order")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["hotline", "external_no"], name="workorder_unique_external_no"),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="workorder_status_received"),
            models.Index(fields=["department", "status"], name="workorder_department_status"),
        ]

    def __str__(self) -> str:
        return f"{self.hotline.code}-{self.external_no}" if self.hotline_id else self.external_no

    @property
    def is_open(self) -> bool:
        return self.status != OrderStatus.COMPLETED


class WorkOrderEvent(TimelineEvent):
    """One immutable row of an order's timeline (the platform's one event shape, ``TimelineEvent``); the system's
    rows (a linked case closed) have no actor and the role ``system``."""

    timeline = "order"

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("from status"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to status"), max_length=20, choices=OrderStatus.choices)
    opinion = models.TextField(_("opinion"), blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


# The other intake channels live in their sub-package; Django finds them through this module.
from hotlines.channels.models import (  # noqa: E402
    CHANNEL_ACTION_LABELS,
    Camera,
    ChannelEvent,
    ChatGroupReport,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    RectificationAction,
    VideoCase,
)

__all__ = [
    "CHANNEL_ACTION_LABELS",
    "Camera",
    "ChannelEvent",
    "ChatGroupReport",
    "Hotline",
    "Inspection",
    "InspectionProblem",
    "OnlineOpinion",
    "OrderTimeLimit",
    "RectificationAction",
    "VideoCase",
    "WorkOrder",
    "WorkOrderEvent",
]
