"""A whole period's figures as JSON-ready data (overall, departments, streets, communities, channels, grids and
people, ranked), computed from the rollups and cached in Redis for five minutes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from evaluation.indicators.composites import COMPOSITES, grade, weights
from evaluation.indicators.definitions import CACHE_SECONDS, RATES
from evaluation.indicators.figures import (
    ROLE_OF_SCHEME,
    Figures,
    by_area,
    by_department,
    by_person,
    by_source,
    overall,
)


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row(figures: Figures, scheme: str | None, indicator_keys: Iterable[str]) -> dict:
    row = {"counts": {k: figures.count(k) for k in figures.totals}}
    row["rates"] = {k: _fmt(figures.rate(k)) for k in indicator_keys}
    if scheme:
        score = figures.score(weights(scheme))
        row["score"] = _fmt(score)
        row["grade"] = grade(score)
    return row


CASE_RATE_KEYS = [k for k, i in RATES.items() if i.scope == "case"]
SCHEME_RATE_KEYS = {scheme: [c.indicator for c in COMPOSITES[scheme]] for scheme in COMPOSITES}


def _names(model, ids, field_name="name") -> dict:
    return dict(model.objects.filter(pk__in=list(ids)).values_list("pk", field_name))


def _ranked(rows: list[dict]) -> list[dict]:
    rows.sort(key=lambda r: (r.get("score") is None, -Decimal(r.get("score") or 0), str(r["name"])))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position
    return rows


def compute_period(start: date, end: date) -> dict:
    """Every figure of a period as JSON-ready data: overall counts and rates, departments, streets, communities,
    sources and each person scheme, with composite scores, grades and ranks."""
    from core.models import Department, User
    from grids.models import Region

    result: dict = {"start": start.isoformat(), "end": end.isoformat()}
    result["overall"] = _row(overall(start, end), None, CASE_RATE_KEYS)
    departments = by_department(start, end)
    names = _names(Department, [d for d in departments if d])
    rows = []
    for department_id, figures in departments.items():
        if not department_id:
            continue  # not dispatched yet: belongs to no department
        row = _row(figures, "department", CASE_RATE_KEYS)
        row.update(id=department_id, name=names.get(department_id, str(department_id)))
        rows.append(row)
    result["departments"] = _ranked(rows)
    for level, key, scheme in (("street", "streets", "street"), ("community", "communities", None)):
        groups = by_area(start, end, level)
        region_names = dict(Region.objects.filter(code__in=list(groups)).values_list("code", "name"))
        rows = []
        for code, figures in groups.items():
            row = _row(figures, scheme, CASE_RATE_KEYS)
            row.update(code=code, name=region_names.get(code, code))
            rows.append(row)
        result[key] = _ranked(rows) if scheme else sorted(rows, key=lambda r: r["code"])
    result["sources"] = {source: _row(f, None, ["valid_report_rate"]) for source, f in by_source(start, end).items()}
    people = {}
    for scheme in ROLE_OF_SCHEME:
        groups = by_person(start, end, scheme)
        users = {
            u["pk"]: u
            for u in User.objects.filter(pk__in=list(groups)).values(
                "pk", "username", "first_name", "last_name", "department_id", "department__name", "department__kind"
            )
        }
        rows = []
        for user_id, figures in groups.items():
            user = users.get(user_id)
            if user is None:
                continue
            row = _row(figures, scheme, SCHEME_RATE_KEYS[scheme])
            full_name = f"{user['last_name']}{user['first_name']}".strip()
            row.update(
                id=user_id,
                name=full_name or user["username"],
                username=user["username"],
                company=user["department__name"] or "",
                company_kind=user["department__kind"] or "",
            )
            rows.append(row)
        people[scheme] = _ranked(rows)
    result["people"] = people
    return result


def _cache_key(start: date, end: date) -> str:
    from evaluation.rollups import version

    return f"evaluation:period:{start.isoformat()}:{end.isoformat()}:v{version()}"


def period_figures(start: date, end: date, *, fresh: bool = False) -> dict:
    """``compute_period`` as stored by the scheduled task when it keeps this period (this month so far and last
    month: ``evaluation.stored_figures``), otherwise through the Redis cache (five minutes; a rebuild of the
    rollups invalidates it)."""
    key = _cache_key(start, end)
    if not fresh:
        from evaluation.models import PeriodFigure
        from evaluation.stored_figures import current_periods, stale_after

        if ("period", start, end) in current_periods(timezone.localdate()):  # kept by the schedule
            stored = PeriodFigure.objects.filter(
                kind="period", start=start, end=end, computed_at__gte=timezone.now() - stale_after()
            ).first()
            if stored is not None:
                return stored.data
        try:
            cached = cache.get(key)
        except Exception:
            cached = None
        if cached is not None:
            return cached
    result = compute_period(start, end)
    try:
        cache.set(key, result, CACHE_SECONDS)
    except Exception:
        pass
    return result
