"""Excel import of a batch of work orders (a day's export of the 12345 platform, say).

The whole sheet is checked first; every bad row is reported with its row number, field and reason. Nothing is
written unless every row is good (``skip_invalid`` writes the good ones). Importing the same file again adds
nothing: an order number already known for its hotline is counted as ``existing``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import HeaderAliases, ImportReport, RowError, SheetReader, UploadRefused
from hotlines.exceptions import OrderForbidden
from hotlines.models import WorkOrder
from hotlines.services import check_order_fields, receive

HEADERS = {
    "hotline": ("hotline", "热线", "热线号码", "来源热线"),
    "external_no": ("external_no", "工单编号", "工单号", "编号"),
    "received_at": ("received_at", "来电时间", "受理时间", "登记时间"),
    "caller_name": ("caller_name", "来电人", "姓名", "来电人姓名"),
    "caller_phone": ("caller_phone", "联系电话", "电话", "来电号码"),
    "order_type": ("order_type", "诉求类型", "类型", "工单类型"),
    "content": ("content", "诉求内容", "内容", "工单内容"),
    "address": ("address", "地址", "事发地址", "诉求地址"),
    "lng": ("lng", "经度"),
    "lat": ("lat", "纬度"),
    "urgency": ("urgency", "紧急程度"),
}
URGENCY_NAMES = {"紧急": "urgent", "特急": "urgent", "一般": "normal", "普通": "normal"}
REQUIRED_COLUMNS = ("external_no", "content")


ALIASES = HeaderAliases(HEADERS)


def _header_map(header_row) -> dict[int, str]:
    return ALIASES.known(header_row)


def _cell(value):
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, datetime.min.time()))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def read_rows(file) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """(row number, values by field name) for each non-empty row of the first sheet, streamed after the upload
    checks (size, zip, sheet dimension) of the spreadsheet kit."""
    try:
        reader = SheetReader(file)
    except UploadRefused as exc:
        return [], [RowError(0, "file", str(exc))]
    result = []
    try:
        with reader:
            rows = reader.rows()
            first = next(rows, None)
            mapping = _header_map(first[1] if first else ())
            missing = [name for name in REQUIRED_COLUMNS if name not in mapping.values()]
            if missing:
                return [], [RowError(1, name, _("Missing column.")) for name in missing]
            for number, values in rows:
                item = {name: _cell(values[index]) for index, name in mapping.items() if index < len(values)}
                if isinstance(item.get("urgency"), str):
                    item["urgency"] = URGENCY_NAMES.get(item["urgency"].strip(), item["urgency"].strip())
                result.append((number, item))
    except UploadRefused as exc:
        return [], [RowError(0, "file", str(exc))]
    return result, []


def import_orders(
    file,
    actor,
    *,
    default_hotline: str = "12345",
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row, then receive the good ones in one transaction; *progress* (an import job's) hears how many
    rows are done."""
    if actor is None or not actor.has_perm("hotlines.receive_workorder"):
        raise OrderForbidden("your role may not receive work orders")
    report = ImportReport("hotline_orders")
    rows, problems = read_rows(file)
    report.errors.extend(problems)
    report.rows = len(rows)
    now = timezone.now()
    good: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    half = report.rows // 2  # the bar: checking is its first half, receiving the second
    for checked, (number, item) in enumerate(rows, start=1):
        if progress is not None:
            progress(checked * half // report.rows)  # also the job's heartbeat: checking a big file takes minutes
        item.setdefault("hotline", default_hotline)
        if item.get("hotline") in (None, ""):
            item["hotline"] = default_hotline
        item["hotline"] = str(item["hotline"]).strip()
        try:
            check_order_fields(item, now)
        except ValidationError as exc:
            report.errors.extend(RowError(number, name, msgs[0]) for name, msgs in exc.message_dict.items())
            continue
        key = (item["hotline"], str(item["external_no"]).strip())
        if key in seen:
            report.errors.append(
                RowError(number, "external_no", _("Repeats row %(row)d of this file.") % {"row": seen[key]})
            )
            continue
        seen[key] = number
        good.append(item)
    report.skipped = report.rows - len(good)
    if dry_run or (report.errors and not skip_invalid) or not good:
        if not dry_run:
            report.skipped = report.rows if report.errors and not skip_invalid else report.skipped
        return report
    known = set(
        WorkOrder.objects.filter(external_no__in=[str(i["external_no"]).strip() for i in good]).values_list(
            "hotline__code", "external_no"
        )
    )
    with transaction.atomic():
        for done, item in enumerate(good, start=1):
            if progress is not None:
                progress(half + done * (report.rows - half) // len(good))
            if (item["hotline"], str(item["external_no"]).strip()) in known:
                report.existing += 1
                continue
            _order, created = receive(actor=actor, **item)
            report.created += created
            report.existing += not created
    report.written = True
    return report


def run_job(job, progress: Callable[[int], None]) -> dict:
    """An import job's runner (``core.imports``): the same import as the page and the command, with progress."""
    options = job.options
    with job.file.open("rb") as handle:
        report = import_orders(
            handle,
            job.created_by,
            default_hotline=options.get("hotline", "12345"),
            skip_invalid=bool(options.get("skip_invalid")),
            dry_run=bool(options.get("dry_run")),
            progress=progress,
        )
    return report.as_json()
