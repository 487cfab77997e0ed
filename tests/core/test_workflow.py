"""The one transition contract (core/workflow.py): every workflow declares its table with it, the refusals say the
same things everywhere (the 409 names the state's label in the user's language), the runner checks in its order,
and the one event shape and timeline partial serve every event table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from rest_framework import exceptions

import cases.workflow
import evaluation.bulletins.workflow
import evaluation.selfeval.workflow
import hotlines.channels.workflow
import hotlines.workflow
from core.api.workflow import refusal_response
from core.models import ImmutableEventError, TimelineEvent
from core.workflow import WORKFLOWS, Transition, label_of

FLOWS = {
    "case": cases.workflow.CASES,
    "order": hotlines.workflow.ORDERS,
    "bulletin": evaluation.bulletins.workflow.BULLETINS,
    "self-evaluation": evaluation.selfeval.workflow.SELF_EVALUATIONS,
    "opinion": hotlines.channels.workflow.OPINIONS,
    "inspection": hotlines.channels.workflow.INSPECTIONS,
    "chat_report": hotlines.channels.workflow.CHAT_REPORTS,
    "camera": hotlines.channels.workflow.CAMERAS,
}


@pytest.mark.django_db
def test_every_workflow_declares_one_table_of_core_transitions_with_real_permissions():
    for name, flow in FLOWS.items():
        assert WORKFLOWS[name] is flow
        assert flow.transitions, name
        for action, rule in flow.transitions.items():
            assert isinstance(rule, Transition) and rule.action == action
            app, codename = rule.permission.split(".")
            assert Permission.objects.filter(content_type__app_label=app, codename=codename).exists(), rule
            if rule.scope is not None:
                assert rule.scope in flow.scopes, (name, action)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_action_labels_translate_in_both_apps():
    for flow in (cases.workflow.CASES, hotlines.workflow.ORDERS):
        for rule in flow.transitions.values():
            with translation.override("en"):
                english = str(rule.label)
            with translation.override("zh-hans"):
                chinese = str(rule.label)
            assert not _has_chinese(english) and _has_chinese(chinese), (rule.action, english, chinese)
    accept = cases.workflow.TRANSITIONS["accept"]
    with translation.override("zh-hans"):
        assert str(accept.label) == "受理" and label_of("case", "dispose") == "处置反馈"
    with translation.override("en"):
        assert str(accept.label) == "Accept" and label_of("case", "report") == "Report"


def test_the_409_sentence_names_the_state_label_in_the_users_language():
    from cases.exceptions import ActionNotAllowed
    from evaluation.bulletins.workflow import BulletinStateError

    refused = ActionNotAllowed("close", "reported")
    with translation.override("zh-hans"):
        assert refused.detail == "案件当前状态为“已上报”，不能执行“结案”。"
        assert BulletinStateError("publish", "published").detail == "当前状态为“已发布”，不能执行“发布”。"
    with translation.override("en"):
        assert refused.detail == "Close is not allowed while the case is “Reported”."
        assert refused.body() == {"detail": refused.detail, "status": "reported"}
    with_reason = ActionNotAllowed("accept", "reported", "A public report must be verified on site first.")
    with translation.override("en"):
        assert with_reason.detail.endswith("“Reported”. A public report must be verified on site first.")


def test_refusals_map_to_http_in_one_place():
    from cases.exceptions import ActionForbidden, ActionNotAllowed, CaseNotFound
    from hotlines.channels.workflow import CameraNotFound

    with translation.override("en"):
        not_found = refusal_response(CaseNotFound(42))
        assert isinstance(not_found, exceptions.NotFound) and str(not_found.detail) == "No such case."
        assert str(refusal_response(CameraNotFound(7)).detail) == "No such camera."  # never the id
        forbidden = refusal_response(ActionForbidden("your role may not close"))
        assert isinstance(forbidden, exceptions.PermissionDenied)
        assert str(forbidden.detail) == "your role may not close"
        conflict = refusal_response(ActionNotAllowed("close", "reported"))
        assert conflict.status_code == 409 and conflict.data["status"] == "reported"
    other = ValueError("x")
    assert refusal_response(other) is other


@pytest.mark.django_db
def test_the_runner_checks_permission_then_lock_then_state_and_records_the_role(personas):
    from django.core.exceptions import PermissionDenied

    from evaluation.bulletins import services
    from evaluation.bulletins.workflow import BulletinNotFound, BulletinStateError
    from evaluation.models import Bulletin, BulletinEvent

    bulletin = Bulletin.objects.create(
        year=2026, number=1, period_start="2026-03-01", period_end="2026-03-31", figures={}
    )
    with pytest.raises(PermissionDenied):  # the contract's Forbidden is Django's PermissionDenied too
        services.publish(bulletin.pk, personas["collector"])
    with pytest.raises(BulletinNotFound) as missing:
        services.publish(bulletin.pk + 1000, personas["supervisor"])
    with translation.override("zh-hans"):
        assert missing.value.detail == "没有这期通报。"
    services.publish(bulletin.pk, personas["supervisor"])
    with pytest.raises(BulletinStateError) as twice:
        services.publish(bulletin.pk, personas["supervisor"])
    with translation.override("zh-hans"):
        assert "已发布" in twice.value.detail
    event = BulletinEvent.objects.get(bulletin=bulletin)
    assert (event.action, event.from_status, event.to_status, event.role) == (
        "publish",
        "draft",
        "published",
        "supervisor",
    )
    with pytest.raises(ImmutableEventError):
        event.save()


EVENT_MODELS = [
    ("cases", "CaseEvent"),
    ("hotlines", "WorkOrderEvent"),
    ("hotlines", "ChannelEvent"),
    ("evaluation", "BulletinEvent"),
    ("evaluation", "SelfEvaluationEvent"),
]


@pytest.mark.django_db
def test_every_event_table_has_the_one_shape_and_refuses_change_in_the_database():
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {row[0] for row in cursor.fetchall()}
    for app, name in EVENT_MODELS:
        model = apps.get_model(app, name)
        assert issubclass(model, TimelineEvent), name
        assert {"action", "actor", "role", "at", "data"} <= {f.name for f in model._meta.get_fields()}
        assert f"{model._meta.db_table}_append_only" in triggers, name


@pytest.mark.django_db
def test_one_timeline_partial_renders_every_event_table_and_the_systems_rows(personas):
    from cases.models import CaseEvent
    from evaluation.models import BulletinEvent, SelfEvaluationEvent
    from hotlines.models import ChannelEvent, WorkOrderEvent

    now = timezone.now()
    events = [
        CaseEvent(
            id=10**9, action="accept", actor=personas["operator"], from_status="reported", to_status="accepted", at=now
        ),
        WorkOrderEvent(action="case_closed", actor=None, from_status="converted", to_status="completed", at=now),
        ChannelEvent(record_kind="camera", record_id=1, action="registered", actor=None, at=now),
        BulletinEvent(action="publish", actor=None, from_status="draft", to_status="published", at=now),
        SelfEvaluationEvent(action="check", actor=None, data={"findings": ["a", "b"]}, at=now),
    ]
    with translation.override("zh-hans"):
        html = render_to_string("core/_timeline.html", {"events": events})
        empty = render_to_string("core/_timeline.html", {"events": [], "empty": "还没有记录"})
    for label in ("受理", "案件结案", "登记摄像头", "发布", "已上报 → 已受理", "已发布", "问题2处"):
        assert label in html, label
    assert html.count("系统") == 4 and "operator" in html  # four rows without a person, one with
    assert html.count("<li data-action=") == 5 and "还没有记录" in empty
