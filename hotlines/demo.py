"""The hotline layer's part of the demo city: a year of 12345/12319 work orders with realistic outcomes (about
97 % satisfied on the return visit, a few sent back, redone, extended, some converted into cases), plus online
opinions, leaders' inspections with joint rectifications, chat-group reports and a camera registry with video cases.

Everything goes through the services with past timestamps (``at=``), so timelines, deadlines and indicators are
the real ones. Deterministic for a seed; idempotent: orders are keyed by their number, the channels' records by
their natural keys, and a record already there is not replayed (a second run adds nothing)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from core.choices import Role
from core.demo_cast import DemoCast, demo_cast
from core.models import Department, User
from hotlines import services
from hotlines.channels import cases as channel_cases
from hotlines.choices import CameraWatch, InspectorLevel, OpinionChannel, OrderType
from hotlines.models import (
    Camera,
    ChatGroupReport,
    Inspection,
    InspectionProblem,
    OnlineOpinion,
    RectificationAction,
    VideoCase,
    WorkOrder,
)

ORDERS_PER_YEAR = 600  # the seeds' volume (Suizhou 583, Bishan 576)
MIN_ORDERS = 100
OPEN_ORDERS = 6  # received in the hours before seeding and left to transfer: a new user finds work to do

# (type, content template, department code or None for a direct answer, class code when it may become a case)
TOPICS: list[tuple[str, str, str | None, str | None]] = [
    (OrderType.COMPLAINT, "{place}附近夜间施工噪音扰民，影响休息", "enforcement", None),
    (OrderType.COMPLAINT, "{place}路段占道经营，行人通行困难", "enforcement", "06010"),
    (OrderType.COMPLAINT, "{place}生活垃圾清运不及时，异味严重", "sanitation", "06010"),
    (OrderType.COMPLAINT, "{place}道路积尘严重，需加强清扫", "sanitation", "06012"),
    (OrderType.HELP, "{place}路灯不亮已有三天", "lighting", None),
    (OrderType.HELP, "{place}人行道井盖松动，存在安全隐患", "municipal", None),
    (OrderType.HELP, "{place}绿化树木倒伏压住人行道", "gardens", None),
    (OrderType.HELP, "{place}雨水箅子堵塞，路面积水", "drainage", None),
    (OrderType.SUGGESTION, "建议在{place}增设分类垃圾桶", "sanitation", None),
    (OrderType.SUGGESTION, "建议{place}公园延长开放时间", "gardens", None),
    (OrderType.REPORT, "举报{place}有违章搭建", "enforcement", None),
    (OrderType.REPORT, "举报{place}墙面张贴非法小广告", "enforcement", "07001"),
    (OrderType.CONSULTATION, "咨询门店招牌设置需要办理哪些手续", None, None),
    (OrderType.CONSULTATION, "咨询大件垃圾预约清运的方式", None, None),
    (OrderType.CONSULTATION, "咨询建筑垃圾消纳的审批流程", "enforcement", None),
    (OrderType.THANKS, "感谢环卫工人在{place}及时清理垃圾", None, None),
    (OrderType.OTHER, "反映{place}共享单车乱停放", "enforcement", None),
]
TOPIC_WEIGHTS = [8, 7, 9, 4, 7, 5, 3, 4, 2, 1, 3, 3, 6, 4, 2, 2, 3]
CASE_CLASSES = ["06010", "06012", "07001"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
REPLIES = {
    "enforcement": "已派执法队员到现场核查处理，责令当事人整改，后续将加强巡查。",
    "sanitation": "已安排环卫作业人员清运并加密清扫频次。",
    "lighting": "已安排维修人员更换灯具，路灯已恢复正常。",
    "municipal": "已对井盖进行加固更换，隐患已消除。",
    "gardens": "已清理倒伏树木并补植。",
    "drainage": "已疏通雨水箅子，路面积水已排除。",
}


def _platform_account() -> int:
    from core.demo_cast import DEMO_PASSWORD, PLATFORM_ACCOUNT

    username, name = PLATFORM_ACCOUNT
    if User.objects.filter(username=username).exists():
        return 0
    user = User(username=username, first_name=name, role=Role.HOTLINE_PLATFORM)
    user.password = make_password(DEMO_PASSWORD)
    user.save()
    return 1


def _places(rng: random.Random, count: int = 60) -> list[tuple[str, float, float]]:
    """(address, lng, lat) inside unit grids: a point on the surface of a sample of grids, named after its
    community."""
    from grids.models import UnitGrid

    grids = list(UnitGrid.objects.filter(valid_to__isnull=True).select_related("community").order_by("code"))
    if not grids:
        return []
    sample = rng.sample(grids, min(count, len(grids)))
    places = []
    for grid in sample:
        point = grid.geometry.point_on_surface
        name = grid.community.name if grid.community_id else grid.name
        places.append((f"{name}{rng.randint(1, 99)}号附近", point.x, point.y))
    return places


def _working_moment(rng: random.Random, day: date) -> datetime:
    while day.weekday() >= 5 and rng.random() < 0.8:  # fewer calls at weekends
        day -= timedelta(days=1)
    hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 20])
    return timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 59))))


def _later(moment: datetime, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
    return moment + timedelta(hours=rng.uniform(low_hours, high_hours))


# ---- Cases driven to closure --------------------------------------------------------------------------------------


def _close_case(case_id: int, cast: DemoCast, start: datetime, rng: random.Random, now: datetime) -> bool:
    """Drive a freshly reported case through verification (public sources), acceptance, registration, dispatch,
    disposal, check and closure at plausible past moments; stops early when the next step would lie in the future."""
    from cases.choices import CaseStatus
    from cases.models import Case
    from cases.services import perform
    from grids.models import FilingCondition

    case = Case.objects.get(pk=case_id)
    if case.status != CaseStatus.REPORTED or case.events.count() > 1:
        return False
    condition = (
        FilingCondition.objects.filter(minor_class_id=case.minor_class_id, is_active=True).order_by("pk").first()
    )
    if condition is None:
        return False
    department_id = condition.default_department_id
    if department_id not in cast.handlers:
        department_id = next(iter(sorted(cast.handlers)), None)
    if department_id is None:
        return False
    handler = cast.handlers[department_id]
    steps = []
    if case.source not in {"video", "inspection", "collector"}:
        steps += [
            ("send_verify", cast.operator, {"collector": cast.collector.pk}),
            ("verify", cast.collector, {"verified": True, "opinion": "现场属实"}),
        ]
    steps += [
        ("accept", cast.operator, {}),
        ("register", cast.leader, {"condition": condition.pk}),
        ("dispatch", cast.dispatcher, {"department": department_id}),
        ("sign", handler, {}),
        ("dispose", handler, {"opinion": "已处置完毕"}),
        ("send_check", cast.operator, {"collector": cast.collector.pk}),
        ("check", cast.collector, {"passed": True}),
        ("close", cast.leader, {}),
    ]
    moment = start
    for action, actor, params in steps:
        moment = _later(moment, rng, 0.1, 1.5)
        if moment > now:
            return False
        if action == "dispose":  # an after-photo, which the filing condition may require
            from cases.demo import demo_after_photo

            params = {**params, "photo_ids": [demo_after_photo(case_id, moment)]}
        perform(case_id, action, actor, at=moment, **params)
    return True


# ---- Work orders ------------------------------------------------------------------------------------------------


def _replay_order(order: WorkOrder, topic, cast: DemoCast, rng: random.Random, now: datetime, places) -> None:
    """What happened to one order after it was received."""
    order_type, _content, department_code, class_code = topic
    at = order.received_at
    if department_code is None:  # answered on the spot
        services.answer_directly(order.pk, cast.operator, reply="已在电话中详细解答。", at=_later(at, rng, 0.05, 0.3))
        return
    if class_code and order.location is not None and rng.random() < 0.35:
        converted = services.convert(
            order.pk, cast.operator, class_code=class_code, at=_later(at, rng, 0.1, 1.0), opinion="转数字城管案件办理"
        )
        _close_case(converted.case_id, cast, converted.transferred_at, rng, now)
        return
    department = Department.objects.filter(code=department_code).first()
    if department is None or department.pk not in cast.handlers:
        services.answer_directly(
            order.pk, cast.operator, reply="已告知来电人向相关单位反映。", at=_later(at, rng, 0.1, 0.5)
        )
        return
    handler = cast.handlers[department.pk]
    moment = _later(at, rng, 0.2, 2)
    if rng.random() < 0.03:  # sent to the wrong unit first: 退单, then re-transferred
        wrong = next((d for d in cast.handlers if d != department.pk), None)
        if wrong is not None:
            services.transfer(order.pk, cast.operator, department=wrong, at=moment)
            moment = _later(moment, rng, 1, 6)
            if moment > now:
                return
            services.send_back(order.pk, cast.handlers[wrong], reason="该事项不属于我单位职责范围", at=moment)
            moment = _later(moment, rng, 0.5, 3)
    steps: list[tuple] = [("transfer", cast.operator, {"department": department.pk})]
    steps.append(("sign", handler, {}))
    if rng.random() < 0.04:
        days = rng.choice([3, 5])
        steps.append(("request_extension", handler, {"days": days, "reason": "需多部门协调，申请延期"}))
        steps.append(("extend", cast.operator, {"reason": "同意延期"}))
    reply_text = REPLIES.get(department_code, "已核实处理并答复来电人。")
    steps += [
        ("handle", handler, {"opinion": reply_text}),
        ("reply", handler, {"reply": reply_text}),
    ]
    roll = rng.random()
    if roll < 0.015:  # not satisfied, the demand reviewed as unreasonable: completed as unsatisfied
        steps.append(("visit", cast.operator, {"satisfaction": "unsatisfied", "redo": False}))
    elif roll < 0.06:  # 重办; afterwards mostly satisfied
        final = "basically_satisfied" if rng.random() < 0.6 else "unsatisfied"
        steps += [
            ("visit", cast.operator, {"satisfaction": "unsatisfied"}),
            ("sign", handler, {}),
            ("handle", handler, {"opinion": "重新办理：" + reply_text}),
            ("reply", handler, {"reply": "经再次处理，" + reply_text}),
            ("visit", cast.operator, {"satisfaction": final, "redo": False}),
        ]
    else:
        satisfaction = "basically_satisfied" if roll < 0.14 else "satisfied"
        steps.append(("visit", cast.operator, {"satisfaction": satisfaction}))
    steps.append(("complete", cast.operator, {}))
    # Spread the work over the order's limit: most finish well within it, a few late.
    limit_hours = max(float(services.limit_days(order_type)) * 24 * 0.6, 6)
    for action, actor, params in steps:
        if action in {"handle", "reply"}:
            moment = _later(moment, rng, 1, limit_hours / 3 if rng.random() > 0.02 else limit_hours * 2)
        else:
            moment = _later(moment, rng, 0.2, 4)
        if moment > now:
            return
        services.SERVICES[action](order.pk, actor, at=moment, **params)


def _rng(seed: int, kind: str, index: int) -> random.Random:
    """One generator per item: an item already seeded (and so not replayed) never shifts the ones after it."""
    return random.Random(f"{seed}:{kind}:{index}")


def order_number(seed: int, index: int, hotline: str) -> str:
    """Keyed by seed and index, not by date: one serial per index, whichever hotline it belongs to."""
    return f"{'GD' if hotline == '12345' else 'CJ'}DEMO{seed:02d}{index:05d}"


def _seed_orders(seed: int, count: int, year_end: date, cast: DemoCast, places, now: datetime) -> int:
    first_day = year_end - timedelta(days=364)
    added = 0
    for index in range(count + OPEN_ORDERS):
        rng = _rng(seed, "order", index)
        # What the order is comes first and never depends on the date: the date's draws vary with the weekday of the
        # seeding day, and drawing the hotline after them gave one serial to both hotlines on another day.
        hotline = "12319" if rng.random() < 0.25 else "12345"
        topic = rng.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
        place = rng.choice(places) if places else ("城区", None, None)
        with_point = place[1] is not None and rng.random() < 0.7
        urgent = rng.random() < 0.03
        caller = f"{rng.choice(SURNAMES)}{'先生' if rng.random() < 0.5 else '女士'}"
        phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        external_no = order_number(seed, index, hotline)
        if WorkOrder.objects.filter(external_no__endswith=external_no[2:]).exists():
            continue  # seeded on an earlier day: its serial is taken, whatever hotline it went to then
        when = _rng(seed, "order-time", index)
        if index < count:
            day = first_day + timedelta(days=int(index * 365 / count) + when.randint(0, 1))
            received = _working_moment(when, min(day, year_end))
        else:  # after the year: received in the last hours before seeding
            received = now - timedelta(minutes=when.uniform(10, 240))
        if received > now:
            continue
        order, created = services.receive(
            actor=cast.operator,
            hotline=hotline,
            external_no=external_no,
            received_at=received,
            caller_name=caller,
            caller_phone=phone,
            order_type=topic[0],
            content=topic[1].format(place=place[0]),
            address=place[0] if "{place}" in topic[1] else "",
            lng=place[1] if with_point else None,
            lat=place[2] if with_point else None,
            urgency="urgent" if urgent else "normal",
            at=received,
        )
        if not created:
            continue
        added += 1
        if index >= count:
            continue  # today's calls wait in the operator's queue, to transfer (待转办)
        _replay_order(order, topic, cast, rng, now, places)
    return added


# ---- The other channels ---------------------------------------------------------------------------------------------


def _seed_channels(seed: int, scale: float, year_end: date, cast: DemoCast, places, now: datetime) -> dict:
    from cases.services import clear_class_cache

    clear_class_cache()
    added = {"opinions": 0, "inspections": 0, "chat_reports": 0, "cameras": 0, "video_cases": 0}
    first_day = year_end - timedelta(days=364)
    departments = {d.code: d for d in Department.objects.filter(is_active=True)}

    def moment(rng: random.Random, i: int, n: int) -> datetime:
        return _working_moment(rng, first_day + timedelta(days=int(i * 365 / max(n, 1))))

    def raise_and_close(rng: random.Random, record_case, start):
        if record_case is not None:
            _close_case(record_case.pk, cast, start, rng, now)

    n = max(12, round(40 * scale))
    for i in range(n):
        rng = _rng(seed, "opinion", i)
        at = moment(rng, i, n)
        place = rng.choice(places)
        topic = rng.choice(TOPICS[:12])
        opinion, created = OnlineOpinion.objects.get_or_create(
            external_no=f"XXDEMO{seed:02d}{i:04d}",
            defaults={
                "channel": rng.choice(OpinionChannel.values),
                "title": topic[1].format(place="")[:20],
                "content": topic[1].format(place=place[0]),
                "author": f"{rng.choice(SURNAMES)}**",
                "submitted_at": at,
            },
        )
        if not created or at > now:
            continue
        added["opinions"] += 1
        if topic[3] and rng.random() < 0.4:
            case = channel_cases.opinion_to_case(
                opinion, cast.operator, class_code=topic[3], lng=place[1], lat=place[2], address=place[0], at=at
            )
            raise_and_close(rng, case, at)
        replied = _later(at, rng, 4, 72)
        if replied <= now:
            opinion.reply = REPLIES.get(topic[2] or "", "感谢您的留言，已转相关单位办理。")
            opinion.replied_at = replied
            opinion.save(update_fields=["reply", "replied_at"])

    leaders = [
        ("张区长", InspectorLevel.DISTRICT_LEADER),
        ("刘局长", InspectorLevel.BUREAU_LEADER),
        ("陈书记", InspectorLevel.STREET_LEADER),
        ("周科长", InspectorLevel.SECTION_HEAD),
    ]
    problems = ["垃圾桶满溢未及时清运", "沿街店铺出店经营", "人行道破损", "违规张贴小广告", "绿化带内堆放杂物"]
    # Inspections and chat messages are keyed by their date: seeded once, when the table is empty.
    n = max(6, round(24 * scale)) if not Inspection.objects.exists() else 0
    for i in range(n):
        rng = _rng(seed, "inspection", i)
        at = moment(rng, i, n)
        inspector, level = leaders[i % len(leaders)]
        place = rng.choice(places)
        inspection, created = Inspection.objects.get_or_create(
            inspector=inspector, date=at.date(), route=f"{place[0][:8]}沿线及周边", defaults={"level": level}
        )
        if not created or at > now:
            continue
        added["inspections"] += 1
        for j in range(rng.randint(1, 3)):
            spot = rng.choice(places)
            problem = InspectionProblem.objects.create(
                inspection=inspection,
                description=rng.choice(problems),
                address=spot[0],
                location=Point(spot[1], spot[2], srid=4326),
            )
            case = channel_cases.problem_to_case(
                problem, cast.operator, class_code=CASE_CLASSES[j % len(CASE_CLASSES)], at=_later(at, rng, 0.5, 2)
            )
            raise_and_close(rng, case, at)
        if rng.random() < 0.5:
            action = RectificationAction.objects.create(
                inspection=inspection,
                title=f"{place[0][:8]}市容环境联合整治",
                date=min(at.date() + timedelta(days=rng.randint(1, 7)), year_end),
                result="联合执法、环卫、街道开展集中整治，清理占道经营和暴露垃圾。",
            )
            action.departments.set([d for c, d in departments.items() if c in {"enforcement", "sanitation"}])

    groups = ["璧山千里眼群", "城管志愿者群", "社区网格员群"]
    n = max(8, round(30 * scale)) if not ChatGroupReport.objects.exists() else 0
    for i in range(n):
        rng = _rng(seed, "chat", i)
        at = moment(rng, i, n)
        place = rng.choice(places)
        topic = rng.choice([t for t in TOPICS if t[3]])
        report, created = ChatGroupReport.objects.get_or_create(
            group=groups[i % len(groups)],
            reporter_handle=f"热心市民{rng.randint(100, 999)}",
            message_at=at,
            defaults={"content": topic[1].format(place=place[0]), "location": Point(place[1], place[2], srid=4326)},
        )
        if not created or at > now:
            continue
        added["chat_reports"] += 1
        case = channel_cases.chat_report_to_case(report, cast.operator, class_code=topic[3], address=place[0], at=at)
        raise_and_close(rng, case, at)

    cameras = []
    for i, place in enumerate(places[:20]):
        camera, created = Camera.objects.get_or_create(
            code=f"CAM{i + 1:04d}",
            defaults={
                "name": f"{place[0][:6]}监控点",
                "location": Point(place[1], place[2], srid=4326),
                "address": place[0],
                "watches": CameraWatch.values[i % len(CameraWatch.values)],
            },
        )
        added["cameras"] += created
        cameras.append(camera)
    n = max(6, round(24 * scale)) if cameras and not VideoCase.objects.exists() else 0
    for i in range(n):
        rng = _rng(seed, "video", i)
        at = moment(rng, i, n)
        if at > now:
            continue
        camera = cameras[i % len(cameras)]
        if camera.video_cases.filter(captured_at=at).exists():
            continue
        video = channel_cases.video_case(
            camera,
            cast.operator,
            class_code=CASE_CLASSES[i % len(CASE_CLASSES)],
            captured_at=at,
            description="视频巡查发现",
        )
        added["video_cases"] += 1
        raise_and_close(rng, video.case, at)
    return added


def seed_hotlines(seed: int, scale: float, year_end: date) -> dict[str, int]:
    """Seed a year (ending *year_end*) of hotline orders — ``max(100, round(600 × scale))`` — and of the other
    channels; returns what was added. Needs the organisation, the base map and the reference data of migrate."""
    services.ensure_reference_data()
    result = {"orders": 0, "platform_account": _platform_account()}
    cast = demo_cast()
    places = _places(random.Random(seed))
    if cast is None or not places:
        return result
    now = timezone.now()
    count = max(MIN_ORDERS, round(ORDERS_PER_YEAR * scale))
    # One transaction: a commit per action would cost most of the time. Listeners and notifications queued with
    # on_commit (a converted order completing when its case closes) run when it commits.
    with transaction.atomic():
        result["orders"] = _seed_orders(seed, count, year_end, cast, places, now)
        result.update(_seed_channels(seed, scale, year_end, cast, places, now))
    return result
