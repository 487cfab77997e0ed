"""Console pages of the monthly bulletins: the list, one bulletin (with inline SVG charts, print-friendly), its
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
from evaluation.bulletins import services
from evaluation.bulletins.services import CHANNEL_COUNTS, CHANNEL_RATES
from evaluation.bulletins.workbook import workbook
from evaluation.indicators import HOTLINE_FIGURES
from evaluation.models import Bulletin

BAR_WIDTH = 360  # px of the longest bar
TREND_W, TREND_H, TREND_PAD = 640, 200, 30


def _bars(rows: list[dict], value_key: str = "score", limit: int = 30) -> list[dict]:
    bars = []
    for row in rows[:limit]:
        value = row.get(value_key)
        number = float(Decimal(value)) if value is not None else 0.0
        bars.append({"name": row["name"], "value": value, "width": round(BAR_WIDTH * max(min(number, 100), 0) / 100)})
    for index, bar in enumerate(bars):
        bar["y"] = index * 22
    return bars


def _trend_chart(trend: list[dict], key: str) -> dict:
    """Points of a monthly rate line and bars of the monthly case count, in SVG coordinates."""
    n = max(len(trend), 1)
    step = (TREND_W - 2 * TREND_PAD) / max(n - 1, 1)
    most = max((t["counts"]["reported"] for t in trend), default=0) or 1
    points, bars, labels = [], [], []
    for index, month in enumerate(trend):
        x = TREND_PAD + index * step
        value = month["rates"].get(key)
        if value is not None:
            y = TREND_H - TREND_PAD - (TREND_H - 2 * TREND_PAD) * float(Decimal(value)) / 100
            points.append({"x": round(x, 1), "y": round(y, 1), "value": value, "month": month["month"]})
        height = (TREND_H - 2 * TREND_PAD) * month["counts"]["reported"] / most
        bars.append(
            {
                "x": round(x - 8, 1),
                "y": round(TREND_H - TREND_PAD - height, 1),
                "height": round(height, 1),
                "count": month["counts"]["reported"],
                "month": month["month"],
            }
        )
        labels.append({"x": round(x, 1), "text": month["month"][2:]})
    return {
        "width": TREND_W,
        "height": TREND_H,
        "baseline": TREND_H - TREND_PAD,
        "top": TREND_PAD,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "bars": bars,
        "labels": labels,
    }


@login_required
@permission_required("evaluation.view_bulletin", raise_exception=True)
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
            "department_bars": _bars(figures.get("departments", [])),
            "street_bars": _bars(figures.get("streets", [])),
            "trend": _trend_chart(figures.get("trend", []), "closure_rate"),
            "trend_definition": definitions.get("closure_rate", {}),
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
            "can_publish": request.user.has_perm("evaluation.publish_bulletin") and not bulletin.is_published,
            "chart_width": BAR_WIDTH + 230,
            "department_chart_height": len(figures.get("departments", [])[:30]) * 22 + 4,
            "street_chart_height": len(figures.get("streets", [])[:30]) * 22 + 4,
        },
    )


@login_required
@permission_required("evaluation.view_bulletin", raise_exception=True)
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
