"""The case workflow through the service layer: the main path, every side path, and their timelines."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases.choices import CaseStatus as S
from cases.exceptions import ActionNotAllowed
from cases.models import Case, CaseEvent, CasePhoto
from cases.services import available_actions, perform
from core.models import Notification

pytestmark = pytest.mark.django_db(transaction=False)


def act(case, action, user, **params) -> Case:
    return perform(case.pk, action, user, **params)


def to_registered(case, cast, wf_class):
    act(case, "accept", cast["operator"])
    return act(case, "register", cast["leader"], condition=wf_class["condition"].pk)


def to_disposing(case, cast, wf_class, department):
    to_registered(case, cast, wf_class)
    act(case, "dispatch", cast["dispatcher"], department=department.pk)
    return act(case, "sign", cast["handler"])


def test_main_path_report_to_close(new_case, cast, wf_class, department, django_capture_on_commit_callbacks):
    case = new_case()
    assert case.status == S.REPORTED and case.case_no and case.grid_code == "500120001001001"
    assert case.street_code == "500120001" and case.stage_deadline is not None
    case = act(case, "accept", cast["operator"])
    assert case.status == S.ACCEPTED and case.accepted_on_time is not None
    case = act(case, "register", cast["leader"], condition=wf_class["condition"].pk)
    assert case.status == S.REGISTERED
    assert case.suggested_department == department  # the condition's default department
    assert str(case.disposal_limit_value) == "4.00" and case.disposal_limit_unit == "work_hours"
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "dispatch", cast["dispatcher"], department=department.pk)
    assert case.status == S.DISPATCHED and case.department == department and case.disposal_deadline
    assert Notification.objects.filter(recipient=cast["handler"], kind="case_dispatched").count() == 1
    case = act(case, "sign", cast["handler"])
    case = act(case, "dispose", cast["handler"], opinion="已清运")
    assert case.status == S.DISPOSED and case.disposed_on_time is not None
    case = act(case, "send_check", cast["operator"], collector=cast["collector"].pk)
    case = act(case, "check", cast["collector"], passed=True)
    assert case.status == S.CHECKED
    case = act(case, "close", cast["leader"])
    assert case.status == S.CLOSED and case.closed_at and case.stage_deadline is None
    timeline = list(case.events.values_list("action", "from_status", "to_status", "role"))
    assert timeline == [
        ("report", "", "reported", "collector"),
        ("accept", "reported", "accepted", "operator"),
        ("register", "accepted", "registered", "shift_leader"),
        ("dispatch", "registered", "dispatched", "dispatcher"),
        ("sign", "dispatched", "disposing", "handler"),
        ("dispose", "disposing", "disposed", "handler"),
        ("send_check", "disposed", "checking", "operator"),
        ("check", "checking", "checked", "collector"),
        ("close", "checked", "closed", "shift_leader"),
    ]


def test_public_report_is_verified_on_site(new_case, cast):
    case = new_case(source="hotline_12319", reporter=cast["operator"])
    case = act(case, "send_verify", cast["operator"], collector=cast["collector"].pk)
    assert case.status == S.VERIFYING and case.assigned_collector == cast["collector"]
    case = act(case, "verify", cast["collector"], verified=True, opinion="现场属实")
    assert case.status == S.REPORTED and case.verified is True and case.verified_on_time is not None
    assert act(case, "accept", cast["operator"]).status == S.ACCEPTED


def test_a_public_report_is_not_accepted_before_verification(new_case, cast):
    case = new_case(source="online", reporter=cast["operator"])
    assert "accept" not in {t.action for t in available_actions(case, cast["operator"])}
    with pytest.raises(ActionNotAllowed) as err:
        act(case, "accept", cast["operator"])
    assert err.value.current_status == S.REPORTED
    act(case, "send_verify", cast["operator"], collector=cast["collector"].pk)
    case = act(case, "verify", cast["collector"], verified=False, opinion="现场未发现")
    assert case.verified is False and "accept" not in {t.action for t in available_actions(case, cast["operator"])}
    assert act(case, "reject", cast["operator"], opinion="核实不属实").status == S.REJECTED


def test_decisions_are_offered_only_for_pending_requests(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    offered = {t.action for t in available_actions(case, cast["dispatcher"])}
    assert not offered & {"approve_extension", "deny_extension", "approve_suspension", "deny_suspension"}
    case = act(case, "request_extension", cast["handler"], value=1, unit="work_days", reason="x")
    offered = {t.action for t in available_actions(case, cast["dispatcher"])}
    assert {"approve_extension", "deny_extension"} <= offered and "approve_suspension" not in offered
    assert "request_extension" not in {t.action for t in available_actions(case, cast["handler"])}


def test_reject_and_refuse_need_a_reason(new_case, cast, wf_class):
    case = new_case()
    with pytest.raises(ValidationError) as err:
        act(case, "reject", cast["operator"])
    assert "opinion" in err.value.message_dict
    assert act(case, "reject", cast["operator"], opinion="重复上报").status == S.REJECTED
    other = new_case()
    act(other, "accept", cast["operator"])
    assert act(other, "refuse", cast["leader"], opinion="不属于城管范围").status == S.REFUSED


def test_register_requires_a_condition_of_the_cases_class(new_case, cast, wf_class):
    case = new_case()
    act(case, "accept", cast["operator"])
    with pytest.raises(ValidationError) as err:
        act(case, "register", cast["leader"], condition=wf_class["foreign_condition"].pk)
    assert "condition" in err.value.message_dict
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED and case.events.count() == 2  # nothing half-written


def test_rework_goes_back_to_the_department(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    act(case, "dispose", cast["handler"], opinion="已处理")
    act(case, "send_check", cast["operator"], collector=cast["collector"].pk)
    case = act(case, "check", cast["collector"], passed=False, opinion="仍有垃圾")
    assert case.status == S.DISPOSING and case.rework_count == 1 and case.disposed_at is None
    assert case.stage_deadline == case.disposal_deadline


def test_return_is_approved_and_the_case_re_dispatched(new_case, cast, wf_class, department, other_department):
    case = to_disposing(new_case(), cast, wf_class, department)
    case = act(case, "request_return", cast["handler"], reason="不属于本单位职责")
    assert case.status == S.RETURN_REQUESTED
    case = act(case, "approve_return", cast["dispatcher"], opinion="同意")
    assert case.status == S.REGISTERED and case.return_count == 1 and case.department is None
    case = act(case, "dispatch", cast["dispatcher"], department=other_department.pk)
    assert case.department == other_department
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 2


def test_a_denied_return_goes_back_where_it_was(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    act(case, "request_return", cast["handler"], reason="不是我们的")
    case = act(case, "deny_return", cast["dispatcher"], opinion="属于你单位")
    assert case.status == S.DISPOSING and case.department == department


def test_extension_moves_the_bundled_deadline(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    before = case.disposal_deadline
    with pytest.raises(ValidationError) as err:
        act(case, "request_extension", cast["handler"], value="-1", unit="work_days", reason="x")
    assert "value" in err.value.message_dict
    act(case, "request_extension", cast["handler"], value="1", unit="work_days", reason="需要协调车辆")
    with pytest.raises(ActionNotAllowed):  # one pending request of a kind at a time
        act(case, "request_extension", cast["handler"], value="1", unit="work_days", reason="again")
    case = act(case, "approve_extension", cast["dispatcher"])
    assert case.extension_count == 1 and case.disposal_deadline > before
    assert case.stage_deadline == case.disposal_deadline
    with pytest.raises(ActionNotAllowed) as err:
        act(case, "approve_extension", cast["dispatcher"])
    assert err.value.current_status == S.DISPOSING


def test_suspension_stops_the_clock_and_resume_restarts_it(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    act(case, "request_suspension", cast["handler"], reason="需要立项改造")
    case = act(case, "approve_suspension", cast["dispatcher"])
    assert case.status == S.SUSPENDED and case.stage_deadline is None and case.disposal_minutes_left is not None
    case = act(case, "resume", cast["dispatcher"])
    assert case.status == S.DISPOSING and case.disposal_deadline and case.suspension_count == 1


def test_cancel_with_approval_records_the_stage(new_case, cast, wf_class):
    case = new_case()
    act(case, "accept", cast["operator"])
    act(case, "request_cancel", cast["operator"], reason="误报")
    case = act(case, "approve_cancel", cast["leader"], opinion="同意作废")
    assert case.status == S.CANCELLED and case.cancelled_in == S.ACCEPTED


def test_dispose_without_after_photo_is_refused_when_the_condition_requires_one(new_case, cast, wf_class, department):
    wf_class["condition"].requires_after_photo = True
    wf_class["condition"].save()
    case = to_disposing(new_case(), cast, wf_class, department)
    with pytest.raises(ValidationError) as err:
        act(case, "dispose", cast["handler"], opinion="已清运")
    assert "photos" in err.value.message_dict
    before = CasePhoto.objects.create(case=case, kind="before", image="x.jpg", content_type="image/jpeg", size=1)
    with pytest.raises(ValidationError):  # a photo from before disposal does not show the result
        perform(case.pk, "dispose", cast["handler"], photo_ids=[before.pk], opinion="已清运")
    after = CasePhoto.objects.create(case=case, kind="after", image="y.jpg", content_type="image/jpeg", size=1)
    case = perform(case.pk, "dispose", cast["handler"], photo_ids=[after.pk], opinion="已清运")
    assert case.status == S.DISPOSED


def test_after_photo_default_rule():
    from grids.taxonomy import after_photo_required

    assert after_photo_required("component", "已下达处罚决定书")  # components always
    assert after_photo_required("event", "已清理干净，现场无残留")
    assert after_photo_required("event", "路面已修复平整")
    assert not after_photo_required("event", "已下达处罚决定书")
    assert not after_photo_required("event", "噪声施工已停止")
    assert not after_photo_required("event", "已拆除或已补办规划许可")


def test_no_direct_cancel_without_a_pending_request(new_case, cast):
    """A shift leader decides cancellation requests; they cannot take a fresh report straight to 已作废."""
    case = new_case()
    assert "approve_cancel" not in {t.action for t in available_actions(case, cast["leader"])}
    with pytest.raises(ActionNotAllowed):
        act(case, "approve_cancel", cast["leader"], opinion="同意作废")
    assert Case.objects.get(pk=case.pk).status == S.REPORTED
    act(case, "request_cancel", cast["operator"], reason="误报")
    offered = {t.action for t in available_actions(Case.objects.get(pk=case.pk), cast["leader"])}
    assert {"approve_cancel", "deny_cancel"} <= offered


@pytest.mark.parametrize("action", ["approve_return", "approve_extension", "approve_suspension", "deny_cancel"])
def test_every_decision_needs_its_pending_request(new_case, cast, wf_class, department, action):
    case = to_disposing(new_case(), cast, wf_class, department)
    decider = cast["leader"] if action.endswith("cancel") else cast["dispatcher"]
    assert action not in {t.action for t in available_actions(case, decider)}
    with pytest.raises(ActionNotAllowed):
        act(case, action, decider, opinion="同意")


def test_deny_cancel_keeps_the_case(new_case, cast):
    case = new_case()
    act(case, "request_cancel", cast["operator"], reason="误报")
    case = act(case, "deny_cancel", cast["leader"])
    assert case.status == S.REPORTED and case.requests.get().status == "denied"


def test_urge_flags_and_notifies_the_department(
    new_case, cast, wf_class, department, django_capture_on_commit_callbacks
):
    case = to_disposing(new_case(), cast, wf_class, department)
    with django_capture_on_commit_callbacks(execute=True):
        case = act(case, "urge", cast["dispatcher"], opinion="请尽快处理")
    assert case.is_urged and case.urge_count == 1 and case.status == S.DISPOSING
    assert Notification.objects.filter(recipient=cast["handler"], kind="case_urged").exists()


def test_merge_closes_the_duplicate_and_points_to_the_original(new_case, cast):
    original, duplicate = new_case(), new_case()
    case = act(duplicate, "merge", cast["operator"], original=original.pk)
    assert case.status == S.MERGED and case.merged_into == original
    with pytest.raises(ValidationError):
        act(new_case(), "merge", cast["operator"], original=duplicate.pk)  # the original must be open


def test_self_disposal_is_reviewed_and_closed(new_case, cast):
    case = new_case(source="self_disposal")
    assert case.status == S.SELF_DISPOSED
    assert act(case, "close", cast["leader"]).status == S.CLOSED


def test_an_action_the_state_does_not_allow_names_the_state(new_case, cast):
    case = new_case()
    with pytest.raises(ActionNotAllowed) as err:
        act(case, "close", cast["leader"])
    assert err.value.current_status == S.REPORTED


def test_events_are_immutable(new_case):
    from cases.models.events import ImmutableRowError

    event = new_case().events.get()
    event.opinion = "changed"
    with pytest.raises(ImmutableRowError):
        event.save()
    with pytest.raises(ImmutableRowError):
        event.delete()


def test_available_actions_follow_role_and_state(new_case, cast, wf_class, department):
    case = new_case()
    assert {t.action for t in available_actions(case, cast["operator"])} >= {"accept", "reject", "send_verify"}
    assert not {t.action for t in available_actions(case, cast["handler"])}
    case = to_disposing(case, cast, wf_class, department)
    assert "dispose" in {t.action for t in available_actions(case, cast["handler"])}
    assert "dispose" not in {t.action for t in available_actions(case, cast["other_handler"])}


def test_photos_are_attached_to_the_event_that_used_them(new_case, cast, wf_class, department, settings, tmp_path):
    from django.core.files.base import ContentFile

    from cases.models import CasePhoto

    settings.MEDIA_ROOT = tmp_path
    case = to_disposing(new_case(), cast, wf_class, department)
    other = new_case()

    def photo(of):
        return CasePhoto.objects.create(
            case=of,
            kind="after",
            image=ContentFile(b"jpeg", name="a.jpg"),
            content_type="image/jpeg",
            size=4,
            sha256="0" * 64,
        )

    after, foreign = photo(case), photo(other)
    with pytest.raises(ValidationError) as err:  # a photo of another case is refused and nothing is written
        act(case, "dispose", cast["handler"], opinion="已清运", photo_ids=[after.pk, foreign.pk])
    assert "photo_ids" in err.value.message_dict and Case.objects.get(pk=case.pk).status == S.DISPOSING
    case = act(case, "dispose", cast["handler"], opinion="已清运", photo_ids=[after.pk])
    event = case.events.get(action="dispose")
    assert list(event.photos.all()) == [after] and event.data["photos"] == [after.pk]
    assert event.opinion == "已清运"


def test_listeners_hear_of_committed_transitions_only(new_case, cast, django_capture_on_commit_callbacks):
    from cases.timeline import after_transition, remove_listener

    heard: list[tuple[int, int]] = []
    listener = after_transition(lambda case_id, event_id: heard.append((case_id, event_id)))
    try:
        case = new_case()
        with django_capture_on_commit_callbacks(execute=True):
            act(case, "accept", cast["operator"])
            with pytest.raises(ValidationError):
                act(case, "register", cast["leader"], condition=0)  # rolled back: nobody hears of it
        assert heard == [(case.pk, case.events.get(action="accept").pk)]
    finally:
        remove_listener(listener)


def test_list_helpers(new_case, cast, wf_class, department):
    case = to_disposing(new_case(), cast, wf_class, department)
    act(case, "request_extension", cast["handler"], value=1, unit="work_days", reason="x")
    act(case, "request_suspension", cast["handler"], reason="y")
    row = Case.objects.with_pending_requests().for_list().get(pk=case.pk)
    assert row.pending_requests == 2
    assert Case.objects.open().filter(pk=case.pk).exists() and not Case.objects.overdue().exists()
    from datetime import timedelta

    assert Case.objects.due_before(case.stage_deadline + timedelta(minutes=1)).filter(pk=case.pk).exists()


def test_the_admin_shows_a_case_and_its_timeline_read_only(new_case, cast, client):
    case = new_case()
    act(case, "accept", cast["operator"])
    cast["admin"].is_staff = cast["admin"].is_superuser = True
    cast["admin"].save()
    client.force_login(cast["admin"])
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and "accept" in page.content.decode()
    assert client.get("/admin/cases/dispatchrule/").status_code == 200
    assert client.get("/admin/cases/stagelimit/").status_code == 200


def test_second_level_dispatch_passes_the_case_to_a_sub_unit(
    new_case, cast, wf_class, department, other_department, make_user
):
    from core.choices import Role
    from core.models import Department

    team = Department.objects.create(code="sanitation-east", name="环卫所东片区", parent=department)
    team_handler = make_user("team_handler", Role.HANDLER, department=team)
    case = to_registered(new_case(), cast, wf_class)
    case = act(case, "dispatch", cast["dispatcher"], department=department.pk)
    deadline = case.disposal_deadline
    assert "forward" in {t.action for t in available_actions(case, cast["handler"])}
    with pytest.raises(ValidationError) as err:  # only a sub-unit of the department holding the case
        act(case, "forward", cast["handler"], department=other_department.pk)
    assert "department" in err.value.message_dict
    case = act(case, "forward", cast["handler"], department=team.pk, opinion="转东片区")
    assert case.status == S.DISPATCHED and case.department == team
    assert case.disposal_deadline == deadline  # the sub-unit works against the first dispatch's limit
    event = case.events.get(action="forward")
    assert event.data == {"department": team.pk, "from_department": department.pk}
    # The parent still sees the case; the sub-unit signs and disposes; a sub-unit without children cannot forward.
    assert Case.objects.visible_to(cast["handler"]).filter(pk=case.pk).exists()
    assert "forward" not in {t.action for t in available_actions(case, team_handler)}
    case = act(case, "sign", team_handler)
    assert case.status == S.DISPOSING
    with pytest.raises(ValidationError):  # not back up to the parent
        act(case, "forward", team_handler, department=department.pk)
    assert not Case.objects.visible_to(cast["other_handler"]).filter(pk=case.pk).exists()


def test_the_case_keeps_who_handled_each_stage_as_its_timeline_says(
    new_case, cast, wf_class, department, other_department, make_user
):
    """Each stage's last actor is kept on the case by the transition itself (the person rollups read it), and it
    is what the timeline says: the dispatcher after a return replaces the first one; ``stage_actors_sql`` (the
    migration's and the bulk loaders' fill) finds the same people."""
    from django.db import connection

    from cases.choices import STAGE_ACTORS
    from cases.timeline import stage_actors_sql
    from core.choices import Role

    second_dispatcher = make_user("dispatcher2", Role.DISPATCHER)
    case = to_registered(new_case(), cast, wf_class)
    act(case, "dispatch", cast["dispatcher"], department=department.pk)
    act(case, "sign", cast["handler"])
    act(case, "request_return", cast["handler"], reason="不属于本单位职责")
    act(case, "approve_return", cast["dispatcher"], opinion="同意")
    act(case, "dispatch", second_dispatcher, department=other_department.pk)
    kept = Case.objects.get(pk=case.pk)
    assert (kept.acceptor, kept.registrar, kept.dispatcher) == (cast["operator"], cast["leader"], second_dispatcher)
    assert kept.verifier_id is None and kept.checker_id is None and kept.closer_id is None  # stages not reached
    columns = [f"{field}_id" for field in STAGE_ACTORS]
    before = list(Case.objects.filter(pk=case.pk).values_list(*columns).get())
    Case.objects.filter(pk=case.pk).update(**dict.fromkeys(columns))
    with connection.cursor() as cursor:
        cursor.execute(stage_actors_sql("e.case_id = %s"), [case.pk])
    assert list(Case.objects.filter(pk=case.pk).values_list(*columns).get()) == before
