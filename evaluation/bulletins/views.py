"""Console pages of the monthly bulletins: the list, one bulletin (ECharts charts drawn as SVG, print-friendly), its
workbook, and the supervisor's actions (generate a month on demand, refresh a draft, publish)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.choices import CaseSource
from core.audit import record_export
from core.replica import reads_replica
from evaluation.bulletins import services
from evaluation.bulletins.services import CHANNEL_COUNTS, CHANNEL_RATES, TREND_RATES
from evaluation.bulletins.workbook import workbook
from evaluation.indicators import HOTLINE_FIGURES
from evaluation.models import Bulletin

RANKED_IN_CHART = 30  # bars of a ranking chart (the table below lists every row)


def _chart_data(figures: dict, definitions: dict) -> dict:
    """What static/evaluation/bulletin.js draws with ECharts (SVG renderer): the twelve-month trend (cases reported as
    bars on a count axis, the disposal and closure rates as lines on a 0–100 % axis) and the department and street
    rankings by composite score. Plain numbers and translated labels; the page passes them through json_script."""

    def number(value):
        return None if value is None else float(Decimal(value))

    def ranked(key: str) -> list[dict]:
        return figures.get(key, [])[:RANKED_IN_CHART]

    trend = figures.get("trend", [])
    rate_keys = [k for k in TREND_RATES if k in definitions]
    return {
        "trend": {
            "months": [m["month"] for m in trend],
            "reported": [m["counts"].get("reported", 0) for m in trend],
            "rates": [
                {"key": k, "label": definitions[k]["label"], "values": [number(m["rates"].get(k)) for m in trend]}
                for k in rate_keys
            ],
        },
        "departments": [{"name": r["name"], "score": number(r.get("score"))} for r in ranked("departments")],
        "streets": [{"name": r["name"], "score": number(r.get("score"))} for r in ranked("streets")],
        "text": {
            "reported": _("Cases reported"),
            "cases": _("cases (count)"),
            "rate": _("Rate (%)"),
            "score": _("Composite score"),
            "points": _("points"),
        },
    }


@login_required
@permission_required("evaluation.view_bulletin", raise_exception=True)
@reads_replica
def bulletin_list(request: HttpRequest, errors: dict | None = None) -> HttpResponse:
    bulletins = Bulletin.objects.order_by("-period_start")
    today = timezone.localdate()
    return render(
        request,
        "evaluation/bulletin_list.html",
        {
            "bulletins": bulletins,
            "can_publish": request.user.has_perm("evaluation.publish_bulletin"),
            "this_year": today.year,
            "months": range(1, 13),
            "last_month": services.previous_month(today.year, today.month),
            "errors": errors or {},
        },
        status=400 if errors else 200,
    )


@login_required
@permission_required("evaluation.view_bulletin", raise_exception=True)
@reads_replica
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    figures = bulletin.figures
    definitions = {d["key"]: d for d in figures.get("definitions", [])}
    headline = [{**h, "definition": definitions.get(h["key"], {})} for h in figures.get("headline", [])]
    composites = figures.get("composites", {})

    def columns(scheme: str) -> list[dict]:
        return [
            {
                **definitions.get(c["indicator"], {"label": c["indicator"]}),
                "weight": c["weight"],
                "inverse": c["inverse"],
            }
            for c in composites.get(scheme, {}).get("components", [])
        ]

    def with_cells(rows: list[dict], cols: list[dict]) -> list[dict]:
        return [{**r, "cells": [r["rates"].get(c.get("key")) for c in cols]} for r in rows]

    department_columns, street_columns, collector_columns = (
        columns("department"),
        columns("street"),
        columns("collector"),
    )
    return render(
        request,
        "evaluation/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "figures": figures,
            "headline": headline,
            "department_columns": department_columns,
            "street_columns": street_columns,
            "collector_columns": collector_columns,
            "departments": with_cells(figures.get("departments", []), department_columns),
            "streets": with_cells(figures.get("streets", []), street_columns),
            "collectors": with_cells(figures.get("collectors", []), collector_columns),
            "companies": with_cells(figures.get("companies", []), collector_columns),
            "composites": composites,
            "charts": _chart_data(figures, definitions),
            "fixes": [services.fix_text(f) for f in figures.get("fixes", [])],
            "hotline": [
                {
                    "key": key,
                    "label": HOTLINE_FIGURES[key].label if key in HOTLINE_FIGURES else key,
                    "formula": HOTLINE_FIGURES[key].formula if key in HOTLINE_FIGURES else "",
                    "value": value,
                    "rate": key.endswith("_rate"),
                }
                for key, value in (figures.get("hotline") or {}).items()
            ],
            "channel_columns": [definitions.get(k, {"key": k, "label": k}) for k in (*CHANNEL_COUNTS, *CHANNEL_RATES)],
            "channels": [
                {
                    "source": c["source"],
                    "label": CaseSource(c["source"]).label if c["source"] in CaseSource.values else c["source"],
                    "cells": [c["counts"].get(k) for k in CHANNEL_COUNTS] + [c["rates"].get(k) for k in CHANNEL_RATES],
                }
                for c in figures.get("channels", [])
            ],
            "collector_homes": services.home_rows(figures),
            "can_publish": request.user.has_perm("evaluation.publish_bulletin") and not bulletin.is_published,
        },
    )


@login_required
@permission_required("evaluation.view_bulletin", raise_exception=True)
@reads_replica
def bulletin_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    response = xlsx_response(bulletin)
    record_export(request, "bulletin", obj=bulletin)
    return response


def xlsx_response(bulletin: Bulletin) -> HttpResponse:
    response = HttpResponse(
        workbook(bulletin), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.year}-{bulletin.number:02d}.xlsx"'
    return response


@login_required
@require_POST
@permission_required("evaluation.publish_bulletin", raise_exception=True)
def bulletin_generate(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
        date(year, 1, 1)
    except ValueError:
        return bulletin_list(request, errors={"year": _("Choose a year and a month.")})
    try:
        month = int(request.POST.get("month", ""))
        date(year, month, 1)
    except ValueError:
        return bulletin_list(request, errors={"month": _("Choose a year and a month.")})
    if services.month_bounds(year, month)[1] >= timezone.localdate():
        return bulletin_list(request, errors={"month": _("That month has not ended yet.")})
    bulletin, created = services.create_bulletin(year, month, request.user)
    if not created:
        messages.info(request, _("The bulletin of that month exists already."))
    return redirect("evaluation:bulletin", pk=bulletin.pk)


@login_required
@require_POST
@permission_required("evaluation.publish_bulletin", raise_exception=True)
def bulletin_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Bulletin, pk=pk)
    try:
        services.refresh(pk, request.user)
        messages.success(request, _("The figures were recomputed."))
    except services.BulletinStateError:
        messages.error(request, _("A published bulletin cannot change."))
    return redirect("evaluation:bulletin", pk=pk)


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Bulletin, pk=pk)
    try:
        services.publish(pk, request.user)
        messages.success(request, _("The bulletin was published; its figures are now frozen."))
    except services.BulletinStateError:
        messages.error(request, _("The bulletin is already published."))
    return redirect("evaluation:bulletin", pk=pk)
