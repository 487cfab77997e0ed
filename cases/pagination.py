"""Counting long case lists without reading them: a capped exact count, and the planner's estimate beyond the cap.

With a million cases, ``COUNT(*)`` of an unfiltered or loosely filtered list reads most of the table (hundreds of
milliseconds) to print a number nobody needs to the unit. Lists therefore count exactly up to ``EXACT_UP_TO`` rows
(reading at most that many ids: the query stops there), and beyond that take PostgreSQL's own estimate of the
filtered query's rows (``EXPLAIN``), never less than the cap. Pages past an estimated end are still served while rows
exist there; the count is flagged (``count_exact`` in the API, "about" in the console).

Searched lists (``windowed``) are read window by window of receipt time (``RECENT_WINDOWS``). The case table is
partitioned by year, and ``ORDER BY received_at DESC LIMIT n`` over it is a Merge Append that needs a first row from
*every* partition: a free-text filter that matches only recent cases (today's number prefix) made PostgreSQL walk
each old year's ``received_at`` index to its end looking for one (0.43 s at 1 M cases, bench/case_list.py). Bounded
to the last few days, an old year's index scan ends at once; a window that does not fill the page hands over to a
wider one. Other filters are answered by indexes that lead with them (status, class, open cases), so an old year
answers at once anyway and a window that does not fill would only cost another statement.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from cases.filtersets import CaseFilterSet

EXACT_UP_TO = 5_000
# Receipt-time windows a newest-first page is first looked for in (the last three days, then two months), before the
# whole list: see the module docstring.
RECENT_WINDOWS = (timedelta(days=3), timedelta(days=62))


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's estimate of how many rows *queryset* returns (None if it cannot tell)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (LookupError, TypeError, ValueError):
        return None


class EstimatedCountPaginator(Paginator):
    """A ``Paginator`` whose count is capped (see the module docstring). Page numbers beyond an estimated last page
    are accepted as long as the list has rows there.

    Short lists (up to ``SHORT`` rows) are counted by reading their ids, and their pages are then read by id. A
    selective filter (a case number in ``q``, a rare class) otherwise tempts PostgreSQL, with a ``LIMIT`` in sight, to
    walk the whole ``received_at`` index in list order hoping to meet the few matches early; by id it reads them
    through the filter's own index and sorts a handful of rows.

    A caller that already knows how many rows the list holds (the console's unfiltered queue: its count from the
    case tally) passes it as ``count``; a long list is then not counted again."""

    SHORT = 1_000

    def __init__(self, object_list, per_page, *args, windowed: bool = False, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.windowed = windowed
        self.known_count = count

    @cached_property
    def _ids(self) -> list:
        """The ids of the list, up to ``EXACT_UP_TO`` + 1 of them, in whatever order is quickest: one query that
        both counts a list up to the cap and, for a short list, says which rows to read."""
        return list(self.object_list.order_by().values_list("pk", flat=True)[: EXACT_UP_TO + 1])

    @property
    def _known_long(self) -> bool:
        return self.known_count is not None and self.known_count > self.SHORT

    @property
    def _short_ids(self) -> list | None:
        if self._known_long:
            return None
        return self._ids if len(self._ids) <= self.SHORT else None

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if self._known_long:
            return self.known_count, True
        if len(self._ids) <= EXACT_UP_TO:
            return len(self._ids), True
        return max(planner_estimate(self.object_list) or 0, EXACT_UP_TO + 1), False

    def _rows(self):
        if self._short_ids is not None:
            return self.object_list.filter(pk__in=self._short_ids)
        return self.object_list

    def _newest_first(self) -> bool:
        if not self.windowed:
            return False
        query = self.object_list.query
        order = query.order_by or (query.default_ordering and self.object_list.model._meta.ordering) or ()
        return bool(order) and order[0] == "-received_at"

    def _slice(self, bottom: int, top: int) -> list:
        """Rows ``bottom:top`` of the list. Newest-first: from the first receipt-time window that holds all of the
        rows down to ``top`` (its rows are exactly the list's newest, in the same order), else from the whole list."""
        if self._newest_first():
            now = timezone.now()
            for span in RECENT_WINDOWS:
                rows = list(self.object_list.filter(received_at__gte=now - span)[bottom:top])
                if len(rows) == top - bottom:
                    return rows
        return list(self.object_list[bottom:top])

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # raises PageNotAnInteger with Django's message
        if number < 1:
            return super().validate_number(number)  # raises EmptyPage
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_is_exact:
            if self._short_ids is not None:
                return self._get_page(self._rows()[bottom:top], number, self)
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._slice(bottom, top), number, self)
        rows = self._slice(bottom, top)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def get_page(self, number) -> Page:
        """As ``Paginator.get_page``; past the end of an estimated list, the last estimated page that has rows."""
        try:
            return super().get_page(number)
        except EmptyPage:  # only reached when the count is an estimate that overshot
            return super().get_page(max(1, math.ceil(EXACT_UP_TO / self.per_page)))


class CasePagination(PageNumberPagination):
    """The case list API's pages: ``count`` exact up to 5,000 cases, estimated beyond (``count_exact`` false)."""

    def django_paginator_class(self, queryset, page_size) -> EstimatedCountPaginator:
        return EstimatedCountPaginator(queryset, page_size, windowed=CaseFilterSet.searched(self.request.query_params))

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_exact": self.page.paginator.count_is_exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "false when there are more than 5,000 cases and `count` is PostgreSQL's estimate",
        }
        return schema
