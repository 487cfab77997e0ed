"""The security audit log (安全审计日志): what it records, that nobody can edit it, and who may read it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.choices import AuditAction, Role
from core.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) CityTest/1.0"


def _latest(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


# ---- Append-only at the database level ------------------------------------------------------------------------------


def _plant_events() -> dict[str, int]:
    """One row in the audit log and in each event table. The parents are not created (Django's foreign keys are
    checked at commit); the test removes the rows again before that check, with the triggers off for its session."""
    from cases.models import CaseEvent
    from evaluation.models import BulletinEvent, SelfEvaluationEvent
    from hotlines.models import ChannelEvent, WorkOrderEvent

    now = timezone.now()
    missing = 2_000_000_000
    rows = [
        AuditEntry.objects.create(action=AuditAction.LOGIN, actor_name="someone"),
        CaseEvent.objects.bulk_create([CaseEvent(case_id=missing, action="report", to_status="reported", at=now)])[0],
        WorkOrderEvent.objects.bulk_create(
            [WorkOrderEvent(order_id=missing, action="receive", to_status="received", at=now)]
        )[0],
        ChannelEvent.objects.create(record_kind="opinion", record_id=missing, action="recorded", at=now),
        BulletinEvent.objects.bulk_create([BulletinEvent(bulletin_id=missing, action="created", to_status="draft")])[0],
        SelfEvaluationEvent.objects.bulk_create([SelfEvaluationEvent(evaluation_id=missing, action="edit")])[0],
    ]
    return {row._meta.db_table: row.pk for row in rows}


TABLES = [
    "core_auditentry",
    "cases_caseevent",
    "hotlines_workorderevent",
    "hotlines_channelevent",
    "evaluation_bulletinevent",
    "evaluation_selfevaluationevent",
]


def test_the_audit_log_and_every_event_table_refuse_update_and_delete_in_sql():
    planted = _plant_events()
    assert sorted(planted) == sorted(TABLES)
    for table, pk in planted.items():
        for statement in (f"UPDATE {table} SET action = 'edited' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [pk])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT action FROM {table} WHERE id = %s", [pk])
            assert cursor.fetchone()[0] != "edited"
    # Only a database superuser switching every trigger off for a session gets past it (a maintenance window).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, pk in planted.items():
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_an_audit_entry_cannot_be_changed_through_the_orm_either():
    entry = AuditEntry.objects.create(action=AuditAction.EXPORT, actor_name="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="nobody")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "someone"


# ---- Logins, failed logins, logouts ---------------------------------------------------------------------------------


def test_a_console_login_and_logout_are_recorded_with_address_and_browser(client, personas):
    response = client.post(
        "/login/", {"username": "dispatcher", "password": PASSWORD}, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    login = _latest(AuditAction.LOGIN)
    assert login.actor == personas["dispatcher"] and login.actor_name == "dispatcher"
    assert login.role == Role.DISPATCHER and str(login.address) == "10.1.2.3" and login.user_agent == BROWSER

    client.post("/logout/", REMOTE_ADDR="10.1.2.3")
    logout = _latest(AuditAction.LOGOUT)
    assert logout.actor == personas["dispatcher"] and str(logout.address) == "10.1.2.3"


def test_a_failed_login_records_the_attempted_name_but_never_the_password(client, personas):
    response = client.post("/login/", {"username": "handler", "password": "guess-1234"}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    failed = _latest(AuditAction.LOGIN_FAILED)
    assert failed.actor is None and failed.data["username"] == "handler" and str(failed.address) == "10.9.9.9"
    assert "guess-1234" not in str(failed.data)
    client.post("/login/", {"username": "nobody-here", "password": "x"})
    assert _latest(AuditAction.LOGIN_FAILED).data["username"] == "nobody-here"


def test_the_department_is_the_one_at_the_time(client, personas, other_department):
    handler = personas["handler"]
    client.post("/login/", {"username": "handler", "password": PASSWORD})
    first = _latest(AuditAction.LOGIN)
    handler.department = other_department
    handler.save()
    assert AuditEntry.objects.get(pk=first.pk).department == "环卫所"


# ---- Roles and permissions ------------------------------------------------------------------------------------------


def test_a_role_change_is_recorded_with_before_and_after(personas):
    collector = personas["collector"]
    collector.role = Role.OPERATOR
    collector.save()
    entry = _latest(AuditAction.ROLE_CHANGED)
    assert entry.object_type == "core.user" and entry.object_id == str(collector.pk)
    assert entry.data == {"before": Role.COLLECTOR, "after": Role.OPERATOR}
    # The group follows the role: that membership change is recorded too.
    added, removed = AuditEntry.objects.filter(action=AuditAction.PERMISSIONS_CHANGED).order_by("-id")[:2]
    assert added.data == {"field": "groups", "added": [str(Role.OPERATOR)], "removed": []}
    assert removed.data == {"field": "groups", "added": [], "removed": [str(Role.COLLECTOR)]}


def test_saving_a_user_without_changing_the_role_records_no_role_change(personas):
    before = AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED).count()
    personas["finance"].first_name = "王"
    personas["finance"].save()
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED).count() == before


def test_group_and_user_permission_changes_are_recorded(personas):
    permission = Permission.objects.get(codename="view_auditentry")
    group = Group.objects.get(name=Role.FINANCE)
    group.permissions.add(permission)
    entry = _latest(AuditAction.PERMISSIONS_CHANGED)
    assert entry.object_type == "auth.group" and entry.object_text == str(Role.FINANCE)
    assert entry.data["field"] == "permissions" and entry.data["added"] == [str(permission)]

    group.permissions.remove(permission)
    assert _latest(AuditAction.PERMISSIONS_CHANGED).data["removed"] == [str(permission)]

    finance = personas["finance"]
    finance.user_permissions.add(permission)
    entry = _latest(AuditAction.PERMISSIONS_CHANGED)
    assert entry.object_type == "core.user" and entry.data["field"] == "user_permissions"
    finance.user_permissions.clear()
    assert _latest(AuditAction.PERMISSIONS_CHANGED).data["removed"] == [str(permission)]


def test_a_signal_of_another_part_is_recorded_with_one_line(personas, rf):
    """How the token and lockout signals are connected: ``record_on(signal, action)``."""
    from django.dispatch import Signal

    from core.audit import record_on

    locked_out = Signal()
    record_on(locked_out, AuditAction.LOCKOUT)
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.7")
    locked_out.send(sender=None, request=request, username="handler", ip_address="10.0.0.7")
    entry = _latest(AuditAction.LOCKOUT)
    assert entry.data == {"username": "handler", "ip_address": "10.0.0.7"} and str(entry.address) == "10.0.0.7"


# ---- The console page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [("admin", 200), ("supervisor", 200), ("dispatcher", 403), ("handler", 403)])
def test_who_may_read_the_log(client, personas, role, status):
    client.force_login(personas[role])
    assert client.get("/audit/").status_code == status


def test_the_log_page_is_searchable_and_chinese(client, personas):
    client.post("/login/", {"username": "handler", "password": "wrong-password"})
    client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
    client.post("/logout/")
    AuditEntry.objects.create(action=AuditAction.EXPORT, actor_name="archivist", data={"export": "cases"})
    client.force_login(personas["supervisor"])

    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "安全审计日志" in text and "登录失败" in text

    failed = client.get("/audit/", {"action": AuditAction.LOGIN_FAILED}).content.decode()
    assert "handler" in failed and "archivist" not in failed

    by_actor = client.get("/audit/", {"actor": "archiv"}).content.decode()
    assert "archivist" in by_actor and "dispatcher" not in by_actor.split('id="audit-table"')[1]

    free_text = client.get("/audit/", {"q": "cases"}).content.decode()
    assert "archivist" in free_text

    today = timezone.localdate()
    assert "archivist" in client.get("/audit/", {"since": today, "until": today}).content.decode()
    tomorrow = today + timedelta(days=1)
    assert "archivist" not in client.get("/audit/", {"since": tomorrow}).content.decode()
    assert client.get("/audit/", {"since": "not-a-date"}).status_code == 400


def test_the_log_page_has_no_inline_script(client, personas):
    client.force_login(personas["admin"])
    body = client.get("/audit/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # scripts only from static files (the CSP forbids inline)


def test_the_admin_lists_the_log_read_only(client, personas):
    admin = personas["admin"]
    admin.is_superuser = True
    admin.save()
    entry = AuditEntry.objects.create(action=AuditAction.EXPORT, actor_name="someone")
    client.force_login(admin)
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    change = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_a_role_change_in_the_admin_names_the_administrator_and_the_before_and_after(client, personas):
    admin = personas["admin"]
    admin.is_superuser = True
    admin.save()
    collector = personas["collector"]
    client.force_login(admin)
    response = client.post(
        f"/admin/core/user/{collector.pk}/change/",
        {
            "username": "collector",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "role": Role.SUPERVISOR,
            "department": "",
            "phone": "",
        },
        REMOTE_ADDR="10.8.8.8",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role = _latest(AuditAction.ROLE_CHANGED)
    assert role.actor == admin and str(role.address) == "10.8.8.8"
    assert role.data == {"before": Role.COLLECTOR, "after": Role.SUPERVISOR}
    change = _latest(AuditAction.ADMIN_CHANGE)
    assert change.actor == admin and change.object_id == str(collector.pk)
    assert change.data["changes"]["role"] == [Role.COLLECTOR, Role.SUPERVISOR]
    assert "password" not in change.data["changes"]


def test_a_token_is_never_written_into_the_log(personas):
    from core.audit import record
    from core.tokens import issue

    token, key = issue(personas["collector"], "handheld")
    entry = record(AuditAction.TOKEN_ISSUED, actor=personas["collector"], obj=token, device="handheld")
    stored = str(AuditEntry.objects.filter(pk=entry.pk).values()[0])
    assert key not in stored and token.digest not in stored and key[:8] not in stored
    assert entry.object_type == "core.apitoken" and "collector" in entry.object_text


def test_every_real_password_change_is_recorded_without_the_password(personas):
    handler = personas["handler"]
    handler.set_password("a-new-secret-2026")
    handler.save()
    entry = _latest(AuditAction.PASSWORD_CHANGED)
    assert entry.object_id == str(handler.pk) and entry.data == {}
    assert "a-new-secret-2026" not in str(AuditEntry.objects.filter(pk=entry.pk).values()[0])
    count = AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGED).count()
    handler.first_name = "张"
    handler.save()  # no password change
    handler.check_password("a-new-secret-2026")
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == count


def test_a_password_set_in_the_admin_names_the_administrator(client, personas):
    admin = personas["admin"]
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    target = personas["finance"]
    response = client.post(
        f"/admin/core/user/{target.pk}/password/",
        {"password1": "Another-Pass-2026", "password2": "Another-Pass-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    entry = _latest(AuditAction.PASSWORD_CHANGED)
    assert entry.actor == admin and entry.object_id == str(target.pk)


def test_odd_rows_planted_in_the_log_never_take_the_page_down(client, personas):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action="no_such_action", role="no_such_role", actor_name="<b>x</b>", data={"v": "<script>1</script>"}
            ),
            AuditEntry(action=AuditAction.EXPORT, object_type="x" * 100, object_text="\u202e" + "长" * 199),
            AuditEntry(action=AuditAction.IMPORT, data={"rows": None, "nested": {"a": [1, 2.5, True, None]}}),
            AuditEntry(
                action=AuditAction.LOGIN, address="::1", user_agent="\ud800".encode("utf-8", "replace").decode()
            ),
        ]
    )
    client.force_login(personas["admin"])
    page = client.get("/audit/")
    body = page.content.decode()
    assert page.status_code == 200 and "<script>1</script>" not in body and "<b>x</b>" not in body
    assert client.get("/audit/", {"q": "script"}).status_code == 200
    assert client.get("/admin/core/auditentry/").status_code == 200


def test_recording_a_hostile_attempt_never_fails_the_request(rf, personas):
    """NUL bytes and lone surrogates (a query string, a user agent, a file name) are stored as U+FFFD."""
    from django.http import QueryDict

    from core.audit import record, record_export

    request = rf.get("/hotlines/export/", HTTP_USER_AGENT="ua\x00")
    request.GET = QueryDict(mutable=True)
    request.GET.update({"x\x00": "a\x00b", "s": "\ud800"})  # as a hostile query string decodes
    request.user = personas["operator"]
    entry = record_export(request, "hotline_orders", rows=0)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data["filters"] == {"x\ufffd": "a\ufffdb", "s": "\ufffd"} and stored.user_agent == "ua\ufffd"
    assert record(AuditAction.IMPORT, file_name="bad\x00.xlsx").data["file_name"] == "bad\ufffd.xlsx"
