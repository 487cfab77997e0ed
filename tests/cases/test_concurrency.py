"""Two dispatchers dispatch the same case at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases.exceptions import ActionNotAllowed
from cases.models import CaseEvent
from cases.services import perform


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once(new_case, cast, wf_class, department, other_department, make_user):
    from core.choices import Role

    second = make_user("dispatcher2", Role.DISPATCHER)
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatch(user, dept):
        try:
            barrier.wait()
            perform(case.pk, "dispatch", user, department=dept.pk)
            outcomes.append("ok")
        except ActionNotAllowed as exc:
            outcomes.append(exc.current_status)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=dispatch, args=(cast["dispatcher"], department)),
        threading.Thread(target=dispatch, args=(second, other_department)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["dispatched", "ok"]
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_extension_requests_at_once_leave_one_pending(new_case, cast, wf_class, department, make_user):
    from cases.models import CaseRequest
    from core.choices import Role

    colleague = make_user("handler2", Role.HANDLER, department=department)
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(user):
        try:
            barrier.wait()
            perform(case.pk, "request_extension", user, value=1, unit="work_days", reason="需协调")
            outcomes.append("ok")
        except ActionNotAllowed as exc:
            outcomes.append(str(exc.reason))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(user,)) for user in (cast["handler"], colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "已有待审批的延期申请。"]  # the refusal says why, in Chinese
    assert CaseRequest.objects.filter(case=case, kind="extension", status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_report_outside_a_transaction_writes_what_one_inside_writes(report, cast):
    """Outside a transaction intake writes a report in one statement; the rows are those of the transactional
    path, a repeat still answers with the same case, and the listeners hear of it once."""
    import uuid

    from django.db import transaction

    from cases.models import Case
    from cases.timeline import after_transition, remove_listener

    heard = []
    listener = after_transition(lambda case_id, event_id: heard.append((case_id, event_id)))
    try:
        key = uuid.uuid4()
        assert not connection.in_atomic_block
        fast = report(client_uuid=key)
        again = report(client_uuid=key)
        with transaction.atomic():
            slow = report()
    finally:
        remove_listener(listener)
    assert again.pk == fast.pk and Case.objects.filter(client_uuid=key).count() == 1
    fast, slow = Case.objects.get(pk=fast.pk), Case.objects.get(pk=slow.pk)
    same = [f.attname for f in Case._meta.concrete_fields if f.name not in {"id", "case_no", "client_uuid"}]
    differ = {name for name in same if getattr(fast, name) != getattr(slow, name)}
    assert differ <= {"received_at", "stage_started_at", "stage_deadline", "updated_at"}
    assert fast.case_no[:9] == slow.case_no[:9] and int(slow.case_no[9:]) == int(fast.case_no[9:]) + 1
    timeline = {
        case.pk: list(case.events.values_list("action", "actor_id", "role", "from_status", "to_status", "data"))
        for case in (fast, slow)
    }
    assert (
        timeline[fast.pk]
        == timeline[slow.pk]
        == [("report", cast["collector"].pk, "collector", "", "reported", {"source": "collector"})]
    )
    assert [case_id for case_id, _event in heard] == [fast.pk, slow.pk]


@pytest.mark.django_db(transaction=True)
def test_a_report_outside_a_transaction_is_one_call_of_a_stored_statement_that_survives_being_dropped(report):
    """The single report's statement is a PL/pgSQL function (planned once per server session, nothing prepared in
    the client's session for a pooler to lose); a function dropped under a running process (a restored dump) is
    created again by the next report."""
    from django.test.utils import CaptureQueriesContext

    from cases.services.intake.writing import _stored_single

    function = _stored_single()
    with CaptureQueriesContext(connection) as queries:
        first = report()
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [sql for sql in statements if "INSERT INTO cases_case" in sql and not sql.startswith("CREATE ")]
    assert len([sql for sql in statements if sql.startswith(f"SELECT * FROM {function.name}(")]) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {function.name}({function.arguments})")
    second = report()
    assert second.pk != first.pk and second.case_no != first.case_no
    assert second.events.get().action == "report"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc(%s) IS NOT NULL", [function.name])
        assert cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0
