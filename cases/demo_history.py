"""A year of case history for the demo city: about 42,000 cases at full scale (the Suizhou volume), across every
channel and department, with the outcomes a real centre sees — about 97 % disposed, some late, reworked, returned,
forwarded to a sub-unit, extended, suspended, urged or cancelled, and the last days' cases still open in their
queues.

Each case is reported through the real intake service (``report_case(at=…)``) and lives its life through
``cases.history.replay``, i.e. the same transition rules, deadlines and on-time flags as live actions; the times of
its steps are drawn in working time from the stage deadlines the rules set. Deterministic for a seed; a second run
adds nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases.choices import PUBLIC_SOURCES, TERMINAL_STATUSES, CaseSource
from cases.choices import CaseStatus as S
from cases.deadlines import is_natural_time
from cases.history import Step, replay, save_replayed
from cases.models import Case, CasePhoto
from cases.services import clear_class_cache, report_case
from cases.timeline import quiet
from core.choices import TimeUnit
from core.demo_cast import demo_cast
from core.models import Department, User
from core.worktime import add_duration, is_workday, working_minutes_between
from grids.demo import demo_address

FULL_SCALE_CASES = 42_000
# One small picture stands for every demo after-photo (处置后照片): classes whose filing condition requires one are
# disposed with it, through the same rule as a live disposal.
DEMO_AFTER_PHOTO = "demo/after-disposal.jpg"
NAMESPACE = uuid.UUID("5b0f7c1e-4d0a-4c43-9a43-2f6f0d1c0a11")

# Intake channels and their share of a year's cases (a county centre: collectors find most).
SOURCES = [
    (CaseSource.COLLECTOR, 0.78),
    (CaseSource.PART_TIME, 0.04),
    (CaseSource.VIDEO, 0.03),
    (CaseSource.HOTLINE_12345, 0.04),
    (CaseSource.HOTLINE_12319, 0.02),
    (CaseSource.ONLINE, 0.015),
    (CaseSource.INSPECTION, 0.02),
    (CaseSource.CHAT_GROUP, 0.02),
    (CaseSource.MEDIA, 0.005),
    (CaseSource.SELF_DISPOSAL, 0.03),
]
BY_COLLECTOR = {CaseSource.COLLECTOR, CaseSource.PART_TIME, CaseSource.SELF_DISPOSAL}
PHRASES = ["影响市容", "群众反映强烈", "已拍照取证", "位于人行道", "靠近路口", "持续存在", "夜间发现", "多处"]


@dataclass
class Cast:
    operator: User
    leader: User
    dispatcher: User
    supervisor: User
    handlers: dict[int, User]  # department id → its handler
    children: dict[int, list[int]]  # department id → active sub-units
    departments: list[int]
    default_collector: User


@dataclass
class Site:
    lng: float
    lat: float
    grid_id: int
    component: str | None
    minor_class_id: int | None


def seed_case_history(*, scale: float, seed: int = 1, end: datetime | None = None) -> dict:
    """Report and replay ``42,000 × scale`` cases received over the year before *end* (default now)."""
    count = max(1, round(FULL_SCALE_CASES * scale))
    if Case.objects.filter(key__client_uuid__in=[_key(seed, i) for i in range(min(count, 50))]).exists():
        return {"cases": 0, "events": 0}
    end = end or timezone.now()
    rng = random.Random(seed)
    cast = _cast()
    sites = _sites()
    classes = [c for c in _classes(rng) if c[1] == "event" or str(c[2]) in sites]
    collectors = _collectors_by_grid()
    if cast is None or not classes or not sites:
        return {"cases": 0, "events": 0}
    times = sorted(_received_times(rng, count, end))
    photo = _demo_after_photo()
    cases, events = [], []
    clear_class_cache()
    with quiet(), transaction.atomic():
        for index, received in enumerate(times):
            case = _report(index, received, rng, seed, cast, classes, sites, collectors)
            if case is None:
                continue
            collector = collectors.get(case.grid_id, cast.default_collector)
            case._demo_photo = photo
            events += _live(case, rng, cast, collector, end)
            if case.status not in TERMINAL_STATUSES:
                case.is_overdue = case.stage_deadline is not None and end > case.stage_deadline
            cases.append(case)
        for case, steps in _waiting_cases(count, end, rng, seed, cast, classes, sites, collectors):
            # Natural minutes between the report and now, whatever the hour of seeding.
            gap = (end - case.received_at) / (len(steps) + 1)
            events += replay(
                case, [Step(a, actor, case.received_at + gap * (k + 1), p) for k, (a, actor, p) in enumerate(steps)]
            )
            case.is_overdue = case.stage_deadline is not None and end > case.stage_deadline
            cases.append(case)
        save_replayed(cases, events)
        _attach_after_photos()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case; ANALYZE cases_caseevent")
    return {"cases": len(cases), "events": len(events) + len(cases)}


# A living centre: after the year's history, this many fresh reports wait in each working queue — 待受理 (reported),
# 待立案 (accepted), 待派遣 (registered), 待签收 (dispatched) — received over the last working hours, so some are
# close to their stage deadline and a few past it.
WAITING_PER_QUEUE = 4
WAITING_HOURS = 3


def _waiting_cases(count, end, rng, seed, cast, classes, sites, collectors):
    """(case, steps) of the fresh reports, keyed after the year's ones; the steps stop at each queue in turn."""
    stops = ["reported", "accepted", "registered", "dispatched"]
    for j in range(WAITING_PER_QUEUE * len(stops)):
        received = end - timedelta(minutes=rng.uniform(10, WAITING_HOURS * 60))
        case = _report(count + j, received, rng, seed, cast, classes, sites, collectors, source=CaseSource.COLLECTOR)
        if case is None:
            continue
        steps = [("accept", cast.operator, {})]
        steps.append(("register", cast.leader, {"condition": case._demo_condition}))
        department = case.suggested_department_id if case.suggested_department_id in cast.handlers else None
        steps.append(("dispatch", cast.dispatcher, {"department": department or cast.departments[0]}))
        yield case, steps[: stops.index(stops[j % len(stops)])]


def _key(seed: int, index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}/{index}")


# ---- the city's people, classes and places ---------------------------------------------------------------------


def _cast() -> Cast | None:
    """The demo cast (``core.demo_cast``) with the department tree dispatch needs."""
    people = demo_cast()
    if people is None:
        return None
    handlers = people.handlers
    children: dict[int, list[int]] = {}
    for pk, parent in Department.objects.filter(is_active=True, parent__isnull=False).values_list("pk", "parent"):
        if pk in handlers:
            children.setdefault(parent, []).append(pk)
    return Cast(
        people.operator,
        people.leader,
        people.dispatcher,
        people.supervisor,
        handlers,
        children,
        sorted(handlers),
        people.collector,
    )


def _classes(rng: random.Random) -> list[tuple[str, str, int, int, float]]:
    """(code, kind, minor class id, condition id, weight) of the default standard's classes whose first filing
    condition has a default department; a few classes are common, most rare (Zipf-like weights)."""
    from grids.models import FilingCondition

    first: dict[int, tuple] = {}
    rows = (
        FilingCondition.objects.filter(
            is_active=True,
            default_department__isnull=False,
            minor_class__standard__is_default=True,
            minor_class__is_active=True,
        )
        .order_by("minor_class__code", "code")
        .values_list("minor_class__code", "minor_class__kind", "minor_class_id", "pk")
    )
    for code, kind, class_id, condition_id in rows:
        first.setdefault(class_id, (code, kind, class_id, condition_id))
    chosen = sorted(first.values())
    rng.shuffle(chosen)
    return [(*row, 1.0 / (rank + 1) ** 0.9) for rank, row in enumerate(chosen)]


def _sites() -> dict[str, list[Site]]:
    """Places where cases happen: up to 40 components of each class (component cases name them) and, under
    "event", a spread of component positions (event cases happen along the same streets)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT minor_class_id, identifier, ST_X(location), ST_Y(location), grid_id FROM ("
            " SELECT c.*, row_number() OVER (PARTITION BY minor_class_id ORDER BY id) AS n"
            " FROM grids_component c WHERE grid_id IS NOT NULL AND status <> 'removed') s WHERE n <= 40"
        )
        rows = cursor.fetchall()
    sites: dict[str, list[Site]] = {"event": []}
    for class_id, identifier, lng, lat, grid_id in rows:
        site = Site(lng, lat, grid_id, identifier, class_id)
        sites.setdefault(str(class_id), []).append(site)
        sites["event"].append(site)
    return sites


def _collectors_by_grid() -> dict[int, User]:
    from grids.models import DutyGrid

    found: dict[int, User] = {}
    for duty in DutyGrid.objects.filter(is_active=True).prefetch_related("collectors", "unit_grids"):
        collector = next(iter(sorted(duty.collectors.all(), key=lambda u: u.pk)), None)
        if collector is not None:
            for grid in duty.unit_grids.all():
                found.setdefault(grid.pk, collector)
    return found


def _received_times(rng: random.Random, count: int, end: datetime) -> list[datetime]:
    """Report times over the year before *end*: patrol hours 07:30–18:30, fewer on rest days."""
    zone = timezone.get_current_timezone()
    first = (end - timedelta(days=365)).astimezone(zone).date()
    days = [first + timedelta(days=k) for k in range(366)]
    weights = [1.0 if is_workday(day) else 0.45 for day in days]
    times = []
    while len(times) < count:
        day = rng.choices(days, weights)[0]
        moment = datetime.combine(day, time(7, 30), zone) + timedelta(seconds=rng.randrange(11 * 3600))
        if moment < end:
            times.append(moment)
    return times


# ---- one case's life ----------------------------------------------------------------------------------------------


def _report(index, received, rng, seed, cast, classes, sites, collectors, source=None):
    source = rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0] if source is None else source
    code, kind, class_id, condition_id, _weight = rng.choices(classes, [c[-1] for c in classes])[0]
    own = sites.get(str(class_id)) if kind == "component" else None
    if kind == "component" and not own:
        return None
    site = rng.choice(own or sites["event"])
    reporter = collectors.get(site.grid_id, cast.default_collector) if source in BY_COLLECTOR else cast.operator
    jitter = 0.0 if own else 0.00025
    fields = {
        "reporter": reporter,
        "class_code": code,
        "kind": kind,
        "client_uuid": _key(seed, index),
        "component_identifier": site.component if own else None,
        "source": source,
        "description": f"{rng.choice(PHRASES)}，{rng.choice(PHRASES)}",
        "reported_at": received - timedelta(seconds=rng.randrange(5, 600)),
        "at": received,
    }
    for shift in (jitter, 0.0):
        lng, lat = site.lng + rng.uniform(-shift, shift), site.lat + rng.uniform(-shift, shift)
        try:
            case, _created = report_case(lng=lng, lat=lat, address=demo_address(lng, lat), **fields)
            case._demo_condition = condition_id
            return case
        except ValidationError:  # a jittered point just outside the city: report at the component itself
            continue
    return None


class _Clock:
    """Steps of one case at increasing times; stops (returns False) at the first step that would fall after *end*."""

    def __init__(self, case, end: datetime):
        self.case, self.end, self.at, self.events = case, end, case.received_at, []

    def do(self, action: str, actor: User, minutes: float, **params) -> bool:
        natural = action in {"dispose"} and is_natural_time(self.case)
        at = add_duration(self.at, max(minutes, 1.0), TimeUnit.WORK_MINUTES, round_the_clock=natural)
        if at > self.end:
            return False
        if action == "dispose" and self.case.condition_id in self.case._demo_photo["conditions"]:
            params = {**params, "photo_ids": [_after_photo(self.case, at).pk]}
        self.events += replay(self.case, [Step(action, actor, at, params)])
        self.at = at
        return True


def _demo_after_photo() -> dict:
    """The stored demo picture (written once), its facts, and the filing conditions that require it."""
    import hashlib
    import io

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    if not default_storage.exists(DEMO_AFTER_PHOTO):
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (120, 170, 120)).save(buffer, "JPEG")
        default_storage.save(DEMO_AFTER_PHOTO, ContentFile(buffer.getvalue()))
    with default_storage.open(DEMO_AFTER_PHOTO) as stored:
        content = stored.read()
    from grids.models import FilingCondition

    conditions = set(FilingCondition.objects.filter(requires_after_photo=True).values_list("pk", flat=True))
    return {"size": len(content), "sha256": hashlib.sha256(content).hexdigest(), "conditions": conditions}


def _after_photo(case, at: datetime) -> CasePhoto:
    """An after-photo taken at the disposal of a case whose condition requires one."""
    facts = {k: v for k, v in case._demo_photo.items() if k != "conditions"}
    return CasePhoto.objects.create(
        case=case, kind="after", image=DEMO_AFTER_PHOTO, content_type="image/jpeg", taken_at=at, **facts
    )


def demo_after_photo(case_id: int, at: datetime) -> int:
    """For the other layers' demos that dispose a case live (``perform``): the id of a new after-photo to attach."""
    facts = {k: v for k, v in _demo_after_photo().items() if k != "conditions"}
    photo = CasePhoto.objects.create(
        case_id=case_id, kind="after", image=DEMO_AFTER_PHOTO, content_type="image/jpeg", taken_at=at, **facts
    )
    return photo.pk


def _attach_after_photos() -> None:
    """Each demo after-photo belongs to the disposal it was taken at (events are written in bulk after replay)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casephoto p SET event_id = e.id FROM cases_caseevent e"
            " WHERE p.event_id IS NULL AND p.image = %s AND e.case_id = p.case_id AND e.action = 'dispose'"
            " AND e.at = p.taken_at",
            [DEMO_AFTER_PHOTO],
        )


def _live(case, rng: random.Random, cast: Cast, collector: User, end: datetime) -> list:
    clock = _Clock(case, end)
    _steps(clock, case, rng, cast, collector)
    return clock.events


def _quick(rng: random.Random, low: float, high: float, late: float = 0.05, limit: float = 15) -> float:
    """Minutes a centre step takes: mostly within its limit, sometimes late."""
    return rng.uniform(limit * 1.1, limit * 3) if rng.random() < late else rng.uniform(low, high)


def _steps(clock: _Clock, case, rng: random.Random, cast: Cast, collector: User) -> None:
    do = clock.do
    if case.status == S.SELF_DISPOSED:
        do("close", cast.leader, _quick(rng, 5, 50, limit=60))
        return
    if case.source in PUBLIC_SOURCES:
        if not do("send_verify", cast.operator, _quick(rng, 2, 12), collector=collector.pk):
            return
        verified = rng.random() > 0.06
        if not do("verify", collector, _quick(rng, 8, 28, limit=30), verified=verified, opinion="现场核实"):
            return
        if not verified:
            do("reject", cast.operator, _quick(rng, 2, 10), opinion="经核实不属实")
            return
    if rng.random() < 0.03:
        do("reject", cast.operator, _quick(rng, 2, 14), opinion="不属于城市管理范围")
        return
    if not do("accept", cast.operator, _quick(rng, 2, 14)):
        return
    if rng.random() < 0.015:
        do("refuse", cast.leader, _quick(rng, 2, 14), opinion="不符合立案条件")
        return
    if not do("register", cast.leader, _quick(rng, 2, 14), condition=case._demo_condition):
        return
    if rng.random() < 0.004:
        if do("request_cancel", cast.operator, rng.uniform(5, 60), reason="重复上报"):
            do("approve_cancel", cast.leader, rng.uniform(5, 30), opinion="同意作废")
        return
    suggested = case.suggested_department_id if case.suggested_department_id in cast.handlers else None
    first = suggested if suggested and rng.random() < 0.94 else rng.choice(cast.departments)
    if not do("dispatch", cast.dispatcher, _quick(rng, 2, 14), department=first):
        return
    if suggested and first != suggested and rng.random() < 0.75:
        handler = cast.handlers[first]
        if not do("request_return", handler, rng.uniform(10, 120), reason="不属于本单位职责"):
            return
        if not do("approve_return", cast.dispatcher, rng.uniform(5, 30), opinion="同意回退"):
            return
        if not do("dispatch", cast.dispatcher, rng.uniform(2, 10), department=suggested):
            return
    if case.department_id in cast.children and rng.random() < 0.6:
        sub_unit = rng.choice(cast.children[case.department_id])
        if not do("forward", cast.handlers[case.department_id], rng.uniform(5, 60), department=sub_unit):
            return
    handler = cast.handlers[case.department_id]
    if not do("sign", handler, rng.uniform(5, 90)):
        return
    if not _side_paths(clock, case, rng, cast, handler):
        return
    if rng.random() < 0.012:  # still with the department, overdue
        return
    for attempt in range(3):
        if not do("dispose", handler, _disposal_minutes(clock, case, rng), opinion="已处置完毕"):
            return
        if not do("send_check", cast.operator, _quick(rng, 2, 14), collector=collector.pk):
            return
        passed = attempt == 2 or rng.random() > (0.04 if attempt == 0 else 0.2)
        opinion = "核查通过" if passed else "现场仍有问题，需返工"
        if not do("check", collector, _quick(rng, 8, 28, limit=30), passed=passed, opinion=opinion):
            return
        if passed:
            break
    do("close", cast.leader, _quick(rng, 3, 50, limit=60))


def _side_paths(clock: _Clock, case, rng: random.Random, cast: Cast, handler: User) -> bool:
    """Extension, suspension and urging while the department disposes; False when the year ends first or the
    case stays suspended."""
    do = clock.do
    if rng.random() < 0.03:
        value = rng.choice([1, 2, 3])
        if not do("request_extension", handler, rng.uniform(30, 240), value=value, unit="work_days", reason="需协调"):
            return False
        approve = rng.random() < 0.85
        if not do("approve_extension" if approve else "deny_extension", cast.dispatcher, rng.uniform(5, 60)):
            return False
    if rng.random() < 0.012:
        if not do("request_suspension", handler, rng.uniform(30, 240), reason="需立项解决"):
            return False
        if not do("approve_suspension", cast.dispatcher, rng.uniform(5, 60)):
            return False
        if rng.random() < 0.4:  # waits for a project: stays suspended
            return False
        if not do("resume", cast.dispatcher, rng.uniform(2, 15) * 480):
            return False
    if rng.random() < 0.03:
        if not do("urge", cast.supervisor, rng.uniform(30, 600), opinion="请尽快处置"):
            return False
    return True


def _disposal_minutes(clock: _Clock, case, rng: random.Random) -> float:
    """Time to dispose: a share of what is left of the bundled limit; about one in fourteen runs over."""
    left = working_minutes_between(clock.at, case.disposal_deadline, round_the_clock=is_natural_time(case))
    left = max(left, 30.0)
    share = rng.uniform(1.05, 2.0) if rng.random() < 0.07 else rng.uniform(0.1, 0.9)
    return left * share
