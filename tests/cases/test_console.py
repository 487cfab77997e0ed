"""The 案件办理 console through Django's test client: each role's own queue, only visible cases, actions through the
forms (never writing a status directly), 400/403/404/409 answers, live updates and the duplicate hint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.duplicates import duplicate_candidates, with_duplicate_flag
from cases.models import Case
from cases.services import perform
from tests.conftest import PASSWORD
from tests.fixtures.small_city import INSIDE

pytestmark = pytest.mark.django_db

CONSOLE = reverse("cases:console")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def act(client, case, action, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(reverse("cases:act", args=[case.pk, action]), data)


@pytest.fixture
def registered(report, cast, garbage_class):
    """A case accepted by the operator and registered by the shift leader, waiting for dispatch."""
    case = report()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=garbage_class["condition"].pk)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def dispatched(registered, cast, department):
    perform(registered.pk, "dispatch", cast["dispatcher"], department=department.pk)
    return Case.objects.get(pk=registered.pk)


# ---- Queues: each role its own view --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "queue"),
    [
        ("operator", "to_accept"),  # 待受理
        ("leader", "to_register"),  # 待立案
        ("dispatcher", "to_dispatch"),  # 待派遣
        ("handler", "to_sign"),  # 待签收
        ("supervisor", "overdue"),  # 超期
    ],
)
def test_each_role_lands_on_its_own_queue(client, cast, persona, queue):
    response = login(client, cast[persona]).get(CONSOLE)
    assert response.status_code == 200
    assert response.context["queue"].key == queue
    assert response.context["queues"][0]["key"] == queue
    assert f'data-queue="{queue}" class="current"' in response.content.decode()


def test_queue_tabs_follow_permissions(client, cast):
    keys = {q["key"] for q in login(client, cast["handler"]).get(CONSOLE).context["queues"]}
    assert {"to_sign", "disposing"} <= keys
    assert not keys & {"to_accept", "to_register", "to_dispatch", "return_requests"}
    keys = {q["key"] for q in login(client, cast["dispatcher"]).get(CONSOLE).context["queues"]}
    assert {"to_dispatch", "return_requests", "extension_requests", "suspension_requests", "overdue"} <= keys
    assert not keys & {"to_accept", "to_sign"}


def test_counts_per_stage_and_rows_of_the_queue(client, report, cast, registered):
    waiting = [report(), report()]
    response = login(client, cast["operator"]).get(CONSOLE)
    counts = {q["key"]: q["count"] for q in response.context["queues"]}
    assert counts["to_accept"] == 2
    assert counts["open"] == 3
    rows = [case.pk for case in response.context["page"].object_list]
    assert sorted(rows) == sorted(c.pk for c in waiting)
    assert registered.case_no not in response.content.decode()
    # The dispatcher's queue holds the registered one, with its traffic light.
    response = login(client, cast["dispatcher"]).get(CONSOLE)
    (row,) = response.context["page"].object_list
    assert row.pk == registered.pk and row.light == "green"
    assert 'class="light light-green"' in response.content.decode()


def test_a_handler_sees_only_their_departments_cases(client, cast, dispatched, report, other_department):
    report()  # not dispatched: no department's business
    response = login(client, cast["handler"]).get(CONSOLE)
    assert [c.pk for c in response.context["page"].object_list] == [dispatched.pk]
    assert {q["key"]: q["count"] for q in response.context["queues"]}["all"] == 1
    response = login(client, cast["other_handler"]).get(CONSOLE + "?queue=all")
    assert list(response.context["page"].object_list) == []
    assert login(client, cast["other_handler"]).get(reverse("cases:detail", args=[dispatched.pk])).status_code == 404


def test_roles_without_case_access_are_refused(client, cast, report):
    case = report()
    login(client, cast["finance"])
    assert client.get(CONSOLE).status_code == 403
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403
    assert act(client, case, "accept").status_code == 403
    client.logout()
    assert client.get(CONSOLE).status_code == 302  # to the login page


def test_filters_are_the_api_filterset(client, report, cast):
    first, second = report(address="东关路1号"), report(address="南门路8号")
    login(client, cast["operator"])
    response = client.get(CONSOLE, {"queue": "to_accept", "q": "南门"})
    assert [c.pk for c in response.context["page"].object_list] == [second.pk]
    response = client.get(CONSOLE, {"queue": "all", "class_code": "06010", "status": "reported"})
    assert {c.pk for c in response.context["page"].object_list} == {first.pk, second.pk}
    assert client.get(CONSOLE, {"status": "no-such-status"}).status_code == 400


def test_pagination(client, report, cast):
    for _ in range(27):
        report()
    login(client, cast["operator"])
    first = client.get(CONSOLE)
    assert len(first.context["page"].object_list) == 25
    second = client.get(CONSOLE, {"page": 2})
    assert len(second.context["page"].object_list) == 2
    assert not {c.pk for c in first.context["page"].object_list} & {c.pk for c in second.context["page"].object_list}


def test_an_unknown_queue_falls_back_to_the_default(client, cast):
    response = login(client, cast["handler"]).get(CONSOLE, {"queue": "to_accept"})
    assert response.context["queue"].key == "to_sign"


# ---- Case page and actions through the forms -----------------------------------------------------------------------


def test_operator_leader_dispatcher_handler_through_the_forms(client, report, cast, garbage_class, department):
    case = report()
    url = reverse("cases:detail", args=[case.pk])

    login(client, cast["operator"])
    page = client.get(url)
    assert [f.action for f in page.context["forms"]] == ["send_verify", "accept", "reject", "request_cancel"]
    assert page.context["merge_form"] is not None
    response = act(client, case, "accept")
    assert response.status_code == 302 and response.url == url
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED

    login(client, cast["leader"])
    form = next(f for f in client.get(url).context["forms"] if f.action == "register")
    offered = list(form.fields["condition"].queryset)
    assert garbage_class["condition"] in offered
    assert {c.minor_class_id for c in offered} == {case.minor_class_id}
    assert act(client, case, "register", condition=garbage_class["condition"].pk).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and case.condition == garbage_class["condition"]

    login(client, cast["dispatcher"])
    page = client.get(url)
    form = next(f for f in page.context["forms"] if f.action == "dispatch")
    assert form.fields["department"].initial == department.pk  # the suggestion, preselected
    assert page.context["suggested"] == department
    assert act(client, case, "dispatch", department=department.pk).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.department == department

    login(client, cast["handler"])
    assert act(client, case, "sign").status_code == 302
    assert act(client, case, "dispose", opinion="已清运").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPOSED
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["report", "accept", "register", "dispatch", "sign", "dispose"]
    timeline = client.get(url).content.decode()
    assert "已清运" in timeline and "处置反馈" in timeline


def test_dispose_with_an_after_photo(client, dispatched, cast, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    perform(dispatched.pk, "sign", cast["handler"])
    login(client, cast["handler"])
    jpeg = SimpleUploadedFile("after.jpg", b"\xff\xd8\xff\xe0" + b"0" * 200, content_type="image/jpeg")
    response = client.post(
        reverse("cases:act", args=[dispatched.pk, "dispose"]), {"dispose-opinion": "已修复", "dispose-photos": jpeg}
    )
    assert response.status_code == 302
    photo = dispatched.photos.get()
    assert photo.kind == "after" and photo.event.action == "dispose"
    page = client.get(reverse("cases:detail", args=[dispatched.pk])).content.decode()
    assert photo.image.url in page


def test_the_console_refuses_a_disposal_without_the_required_after_photo(client, dispatched, cast):
    dispatched.condition.requires_after_photo = True
    dispatched.condition.save()
    perform(dispatched.pk, "sign", cast["handler"])
    login(client, cast["handler"])
    response = client.post(reverse("cases:act", args=[dispatched.pk, "dispose"]), {"dispose-opinion": "已修复"})
    assert response.status_code == 400
    form = next(f for f in response.context["forms"] if f.action == "dispose")
    assert "photos" in form.errors and "处置后照片" in str(form.errors["photos"])
    dispatched.refresh_from_db()
    assert dispatched.status == CaseStatus.DISPOSING


def test_a_bad_photo_leaves_nothing_behind(client, dispatched, cast, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    perform(dispatched.pk, "sign", cast["handler"])
    login(client, cast["handler"])
    fake = SimpleUploadedFile("after.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(
        reverse("cases:act", args=[dispatched.pk, "dispose"]), {"dispose-opinion": "已修复", "dispose-photos": fake}
    )
    assert response.status_code == 400
    assert "photos" in response.context["forms"][1].errors or any(f.errors for f in response.context["forms"])
    dispatched.refresh_from_db()
    assert dispatched.status == CaseStatus.DISPOSING and not dispatched.photos.exists()
    assert not any(tmp_path.rglob("*.jpg"))


def test_bad_input_is_a_400_naming_the_field(client, report, cast, registered):
    login(client, cast["operator"])
    case = report()
    response = act(client, case, "reject")  # a refusal must say why
    assert response.status_code == 400
    form = next(f for f in response.context["forms"] if f.action == "reject")
    assert "opinion" in form.errors
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and not case.events.exclude(action="report").exists()

    login(client, cast["dispatcher"])
    response = act(client, registered, "dispatch", department=999999)
    assert response.status_code == 400
    assert "department" in next(f for f in response.context["forms"] if f.action == "dispatch").errors


def test_a_service_validation_error_lands_on_the_form(client, registered, cast, department):
    department.is_active = False
    department.save()
    login(client, cast["dispatcher"])
    response = act(client, registered, "dispatch", department=department.pk)
    assert response.status_code == 400  # an inactive department is not offered: the form itself refuses it


def test_forbidden_not_allowed_and_unknown(client, report, cast, dispatched):
    case = report()
    # The handler's role may not accept: 403, and nothing changes.
    login(client, cast["handler"])
    assert act(client, dispatched, "accept").status_code in (403, 409)
    assert act(client, case, "accept").status_code == 404  # not visible to a department
    # The operator may accept, but not a case that is already dispatched: 409 with the current status.
    login(client, cast["operator"])
    response = act(client, dispatched, "accept")
    assert response.status_code == 409
    assert 'class="error banner"' in response.content.decode()
    # A dispatcher may not accept at all.
    login(client, cast["dispatcher"])
    assert act(client, case, "accept").status_code == 403
    assert act(client, case, "no_such_action").status_code == 404
    assert client.get(reverse("cases:act", args=[case.pk, "accept"])).status_code == 405
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


def test_the_case_page_map_has_the_point_the_grid_and_nearby_components(client, report, cast, base_map):
    from grids.models import Component, MinorClass

    lamp_class = MinorClass.objects.get(standard__is_default=True, code="01001", kind="component")
    near = Point(INSIDE[0] + 0.0002, INSIDE[1], srid=4326)  # ~19 m east
    far = Point(INSIDE[0] + 0.003, INSIDE[1], srid=4326)  # ~290 m east
    for serial, point in enumerate([near, far], start=1):
        Component.objects.create(
            identifier=f"50012001001{serial:06d}", minor_class=lamp_class, geometry=point, location=point
        )
    case = report()
    response = login(client, cast["dispatcher"]).get(reverse("cases:detail", args=[case.pk]))
    data = response.context["map_data"]
    assert data["point"] == [pytest.approx(INSIDE[0]), pytest.approx(INSIDE[1])]
    assert data["grid"]["properties"]["code"] == "500120001001001"
    assert [c["identifier"] for c in data["components"]] == ["50012001001000001"]
    assert 15 < data["components"][0]["distance"] < 25
    assert 'id="case-map-data"' in response.content.decode()


# ---- Live updates --------------------------------------------------------------------------------------------------


def test_live_counts_and_reports_since(client, report, cast):
    login(client, cast["operator"])
    first = client.get(reverse("cases:live")).json()
    assert first["counts"]["to_accept"] == 0 and first["changed"] == [] and "unread" in first
    since = first["now"]
    case = report()
    body = client.get(reverse("cases:live"), {"since": since, "queue": "to_accept"}).json()
    assert body["counts"]["to_accept"] == 1
    assert case.pk in body["changed"] and body["new"] == [case.pk]
    # The table alone, for the page to swap in.
    table = client.get(CONSOLE, {"queue": "to_accept", "partial": "table"})
    assert table.templates[0].name == "cases/_queue_table.html"
    assert case.case_no in table.content.decode()
    assert client.get(reverse("cases:live"), {"since": "yesterday"}).status_code == 400


def test_live_does_not_leak_other_departments_cases(client, cast, dispatched):
    login(client, cast["other_handler"])
    body = client.get(reverse("cases:live"), {"since": (timezone.now() - timedelta(hours=1)).isoformat()}).json()
    assert body["changed"] == [] and body["counts"]["all"] == 0


def test_unread_notifications(client, cast, dispatched):
    # Dispatching notified the department's handler (after commit).
    from core.models import Notification

    Notification.objects.create(recipient=cast["handler"], kind="test", message="新派遣案件")
    login(client, cast["handler"])
    unread = Notification.objects.filter(recipient=cast["handler"], read_at__isnull=True).count()
    assert client.get(CONSOLE).context["unread"] == unread >= 1
    assert client.get(reverse("cases:live")).json()["unread"] == unread
    assert "新派遣案件" in client.get(reverse("cases:notifications")).content.decode()
    client.post(reverse("cases:notifications"))
    assert client.get(reverse("cases:live")).json()["unread"] == 0


# ---- Duplicate hint and one-click merge ----------------------------------------------------------------------------


def test_duplicate_candidates_same_class_open_within_50_m_and_24_h(report, cast):
    now = timezone.now()
    original = report(at=now - timedelta(hours=2))
    near_lat = INSIDE[1] + 0.0003  # ~33 m north
    far_lat = INSIDE[1] + 0.0009  # ~66 m north of the duplicate, ~100 m of the original
    too_far = report(lat=far_lat, at=now - timedelta(hours=1))
    too_old = report(at=now - timedelta(hours=30))
    closed = report(at=now - timedelta(hours=3))
    perform(closed.pk, "reject", cast["operator"], opinion="无效")
    other_class = report(class_code="06011", at=now - timedelta(hours=1))
    duplicate = report(lat=near_lat)

    found = list(duplicate_candidates(duplicate))
    assert found == [original]
    assert 30 < found[0].distance_m.m < 36
    assert list(duplicate_candidates(original)) == []  # only earlier cases are originals
    flagged = with_duplicate_flag(Case.objects.all()).filter(has_duplicate_original=True)
    assert set(flagged.values_list("pk", flat=True)) == {duplicate.pk}
    assert {too_far.pk, too_old.pk, other_class.pk}.isdisjoint(flagged.values_list("pk", flat=True))


def test_one_click_merge_from_the_hint(client, report, cast):
    original = report(at=timezone.now() - timedelta(hours=1))
    duplicate = report(lat=INSIDE[1] + 0.0002)
    login(client, cast["operator"])
    queue = client.get(CONSOLE)
    assert 'class="tag dup"' in queue.content.decode()  # 疑似重复
    page = client.get(reverse("cases:detail", args=[duplicate.pk]))
    assert [d.pk for d in page.context["duplicates"]] == [original.pk]
    assert act(client, duplicate, "merge", original=original.case_no).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.merged_into == original
    assert original.case_no in client.get(reverse("cases:detail", args=[duplicate.pk])).content.decode()
    # The hint is for those who may merge: a dispatcher sees no merge buttons.
    login(client, cast["dispatcher"])
    assert client.get(reverse("cases:detail", args=[original.pk])).context["duplicates"] == []


def test_merge_into_an_unknown_case_number_is_refused(client, report, cast):
    case = report()
    login(client, cast["operator"])
    response = act(client, case, "merge", original="20000101-99999")
    assert response.status_code == 400
    assert "original" in response.context["merge_form"].errors


def test_query_budget_of_the_queue_page_and_the_live_poll(client, report, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url, params=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        return len(captured.captured_queries)

    report()
    login(client, cast["operator"])
    client.get(CONSOLE)  # warm the per-process caches (calendar, stage limits)
    few = queries(CONSOLE)
    for _ in range(30):
        report()
    # Session, user, permissions, counts, page count, rows, the duplicate flags of the page, unread notifications,
    # and the filter pickers' choices (streets, communities, classes, departments): a fixed number, not one more per
    # row.
    assert queries(CONSOLE) == few <= 18
    live = {"since": timezone.now().isoformat(), "queue": "to_accept"}
    assert queries(reverse("cases:live"), live) <= 8


def test_applications_wait_in_the_dispatchers_queues_and_are_decided_through_forms(client, dispatched, cast):
    login(client, cast["handler"])
    response = act(client, dispatched, "request_extension", value="2", unit="work_days", reason="需要采购配件")
    assert response.status_code == 302
    login(client, cast["dispatcher"])
    page = client.get(CONSOLE, {"queue": "extension_requests"})
    counts = {q["key"]: q["count"] for q in page.context["queues"]}
    assert counts["extension_requests"] == 1 and counts["suspension_requests"] == 0
    assert [c.pk for c in page.context["page"].object_list] == [dispatched.pk]
    detail = client.get(reverse("cases:detail", args=[dispatched.pk]))
    assert "需要采购配件" in detail.content.decode()  # the pending application, with its reason
    deadline = Case.objects.get(pk=dispatched.pk).disposal_deadline
    assert act(client, dispatched, "approve_extension", opinion="同意").status_code == 302
    dispatched.refresh_from_db()
    assert dispatched.extension_count == 1 and dispatched.disposal_deadline > deadline
    assert {q["key"]: q["count"] for q in client.get(CONSOLE).context["queues"]}["extension_requests"] == 0
