"""Monthly bulletins: contents, numbering, publishing freezes the figures, pages, workbook and API permissions."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.fixtures.casebook import at

pytestmark = pytest.mark.django_db


def test_contents_of_a_bulletin(march, department, other_department):
    figures = march.figures
    assert (march.year, march.number, march.status) == (2026, 1, "draft")
    assert figures["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    headline = {h["key"]: h for h in figures["headline"]}
    assert headline["reported"]["value"] == 10 and headline["reported"]["previous"] == 0
    assert headline["reported"]["change"] == 10
    assert headline["disposal_rate"]["value"] == "71.43" and headline["disposal_rate"]["previous"] is None
    assert [d["id"] for d in figures["departments"]] == [department.pk, other_department.pk]
    assert figures["departments"][0]["score"] is not None and figures["departments"][0]["rates"]["disposal_rate"]
    assert [s["code"] for s in figures["streets"]] == ["500120001"]
    assert figures["collectors"] and figures["collectors"][0]["rates"]["collector_valid_report_rate"] == "80.00"
    assert figures["overdue_cases"]["total"] == 1 and figures["reworked_cases"]["total"] == 1
    assert len(figures["trend"]) == 12 and figures["trend"][-1]["month"] == "2026-03"
    assert figures["trend"][-1]["counts"]["reported"] == 10
    rules = {(f["rule"], f["name"]) for f in figures["fixes"]}
    assert ("department_overdue", other_department.name) in rules
    assert ("department_disposal_rate", department.name) in rules  # 83.33 % < 90 %
    assert {d["key"] for d in figures["definitions"]} >= {"disposal_rate", "closure_rate"}


def test_bulletins_are_numbered_within_the_year_and_created_once(march):
    from evaluation.bulletins.services import create_bulletin, ensure_last_month

    assert create_bulletin(2026, 3) == (march, False)
    april, created = ensure_last_month(today=date(2026, 5, 3))
    assert created and (april.year, april.number, april.period_start) == (2026, 2, date(2026, 4, 1))
    assert ensure_last_month(today=date(2026, 5, 20)) == (april, False)
    january, _ = create_bulletin(2027, 1)
    assert january.number == 1


def test_a_published_bulletin_never_changes(march, act, cast):
    from evaluation.bulletins.services import BulletinStateError, publish, refresh
    from evaluation.models import Bulletin, BulletinStatus, FrozenBulletinError

    with pytest.raises(PermissionDenied):
        publish(march.pk, cast["finance"])
    published = publish(march.pk, cast["supervisor"])
    assert published.status == BulletinStatus.PUBLISHED and published.published_by == cast["supervisor"]
    frozen = Bulletin.objects.get(pk=march.pk).figures
    # Cases of the month change afterwards: the suspended case resumes, is disposed and closed.
    from cases.models import Case

    suspended = Case.objects.get(status="suspended")
    act(suspended, "resume", cast["dispatcher"], at(10, 9))
    act(suspended, "dispose", cast["handler"], at(10, 10), opinion="已处置")
    from evaluation.indicators import overall

    assert overall(date(2026, 3, 1), date(2026, 3, 31)).count("disposed") == 6  # the live figures moved
    assert Bulletin.objects.get(pk=march.pk).figures == frozen
    with pytest.raises(BulletinStateError):
        refresh(march.pk, cast["supervisor"])
    with pytest.raises(BulletinStateError):
        publish(march.pk, cast["supervisor"])
    stored = Bulletin.objects.get(pk=march.pk)
    stored.figures = {"tampered": True}
    with pytest.raises(FrozenBulletinError):
        stored.save()
    assert Bulletin.objects.get(pk=march.pk).figures == frozen


def test_a_draft_is_refreshed(march, act, cast):
    from cases.models import Case
    from evaluation.bulletins.services import refresh

    suspended = Case.objects.get(status="suspended")
    act(suspended, "resume", cast["dispatcher"], at(10, 9))
    act(suspended, "dispose", cast["handler"], at(10, 10), opinion="已处置")
    with pytest.raises(PermissionDenied):
        refresh(march.pk, cast["finance"])
    headline = {h["key"]: h for h in refresh(march.pk, cast["supervisor"]).figures["headline"]}
    assert headline["disposed"]["value"] == 6
    assert list(march.events.values_list("action", "actor")) == [("create", None), ("refresh", cast["supervisor"].pk)]


def test_supervisor_pages(client, march, cast):
    client.force_login(cast["supervisor"])
    response = client.get(reverse("evaluation:bulletins"))
    assert response.status_code == 200 and f'data-id="{march.pk}"'.encode() in response.content
    response = client.get(reverse("evaluation:bulletin", args=[march.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="trend-chart"' in body and 'id="department-chart"' in body
    assert "<abbr title=" in body  # formulas as tooltips
    assert "http://" not in body.split("<main>")[1] and "https://" not in body.split("<main>")[1]
    response = client.post(reverse("evaluation:bulletin_publish", args=[march.pk]))
    assert response.status_code == 302
    march.refresh_from_db()
    assert march.is_published
    response = client.post(reverse("evaluation:bulletin_generate"), {"year": 2026, "month": 2})
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["collector", "operator", "handler", "dispatcher"])
def test_other_roles_may_not_see_bulletin_pages(client, march, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("evaluation:bulletins")).status_code == 403
    assert client.get(reverse("evaluation:bulletin", args=[march.pk])).status_code == 403


def test_finance_reads_but_does_not_publish(client, march, cast):
    client.force_login(cast["finance"])
    assert client.get(reverse("evaluation:bulletin", args=[march.pk])).status_code == 200
    assert client.post(reverse("evaluation:bulletin_publish", args=[march.pk])).status_code == 403
    march.refresh_from_db()
    assert not march.is_published


def _workbook(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def test_workbook_download(client, march, cast):
    client.force_login(cast["supervisor"])
    response = client.get(reverse("evaluation:bulletin_workbook", args=[march.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = _workbook(response.content)
    assert len(book.sheetnames) >= 8
    headline = book[book.sheetnames[0]]
    values = [row for row in headline.iter_rows(min_row=4, values_only=True)]
    assert values[0][1] == 10 and isinstance(values[0][1], int)  # reported, stored as a number


@pytest.mark.parametrize("role,status", [("supervisor", 200), ("finance", 200), ("admin", 200)])
def test_api_readers(api_as, march, cast, role, status):
    client = api_as(cast[role])
    response = client.get("/api/v1/bulletins/")
    assert response.status_code == status
    assert response.json()["results"][0]["id"] == march.pk
    detail = client.get(f"/api/v1/bulletins/{march.pk}/")
    assert detail.status_code == 200
    assert detail.json()["figures"]["period"]["start"] == "2026-03-01"
    workbook = client.get(f"/api/v1/bulletins/{march.pk}/workbook.xlsx")
    assert workbook.status_code == 200 and _workbook(workbook.content).sheetnames
    assert client.get("/api/v1/indicators/").status_code == 200


@pytest.mark.parametrize("role", ["collector", "operator", "leader", "dispatcher", "handler"])
def test_api_refuses_other_roles(api_as, march, cast, role):
    client = api_as(cast[role])
    assert client.get("/api/v1/bulletins/").status_code == 403
    assert client.get(f"/api/v1/bulletins/{march.pk}/").status_code == 403
    assert client.get(f"/api/v1/bulletins/{march.pk}/workbook.xlsx").status_code == 403


def test_api_needs_authentication(api_client, march):
    assert api_client.get("/api/v1/bulletins/").status_code in {401, 403}


def test_celery_tasks(story):
    from evaluation import tasks
    from evaluation.models import Bulletin

    figures = tasks.compute_period("2026-03-01", "2026-03-31")
    assert figures["overall"]["counts"]["reported"] == 10
    pk = tasks.generate_bulletin(2026, 3)
    assert tasks.generate_bulletin(2026, 3) == pk
    from datetime import timedelta

    from django.utils import timezone

    last_month = Bulletin.objects.get(pk=tasks.ensure_monthly_bulletin())
    assert last_month.period_end == timezone.localdate().replace(day=1) - timedelta(days=1)
    assert last_month.period_start == last_month.period_end.replace(day=1)
    assert Bulletin.objects.count() == 2


def test_demo_issues_the_bulletins_of_past_months(story, cast):
    from datetime import date

    from evaluation.demo import seed_evaluation
    from evaluation.models import Bulletin, BulletinStatus

    # The history starts on 2 March 2026: its first full month is April; on 15 July, April to June are past.
    today = date(2026, 7, 15)
    result = seed_evaluation(1, 0.05, today=today)
    assert result["bulletins"] == 3 == Bulletin.objects.count()
    latest = Bulletin.objects.order_by("-period_start").first()
    assert latest.status == BulletinStatus.DRAFT and latest.period_start == date(2026, 6, 1)
    assert Bulletin.objects.filter(status=BulletinStatus.PUBLISHED).count() == 2
    assert seed_evaluation(1, 0.05, today=today)["bulletins"] == 0  # a second run adds nothing


def test_api_figures_of_any_period(api_as, story, cast):
    client = api_as(cast["finance"])
    response = client.get("/api/v1/indicators/figures/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["overall"]["counts"]["reported"] == 10 and body["overall"]["rates"]["disposal_rate"] == "71.43"
    assert client.get("/api/v1/indicators/figures/", {"start": "2026-03-01"}).json().keys() == {"end"}
    assert client.get("/api/v1/indicators/figures/", {"start": "x", "end": "2026-03-31"}).status_code == 400
    bad = client.get("/api/v1/indicators/figures/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert bad.status_code == 400 and "end" in bad.json()
    assert api_as(cast["operator"]).get("/api/v1/indicators/figures/").status_code == 403


def test_a_month_that_has_not_ended_gets_no_bulletin(client, cast):
    from django.utils import timezone

    from evaluation.models import Bulletin

    client.force_login(cast["supervisor"])
    today = timezone.localdate()
    response = client.post(reverse("evaluation:bulletin_generate"), {"year": today.year, "month": today.month})
    assert response.status_code == 400 and b'data-field="month"' in response.content
    response = client.post(reverse("evaluation:bulletin_generate"), {"year": "x", "month": 3})
    assert response.status_code == 400 and b'data-field="year"' in response.content
    response = client.post(reverse("evaluation:bulletin_generate"), {"year": 2026, "month": 13})
    assert response.status_code == 400 and b'data-field="month"' in response.content
    assert not Bulletin.objects.exists()


def test_every_change_is_an_immutable_event_and_publishing_notifies_the_readers(
    march, cast, django_capture_on_commit_callbacks
):
    from core.models import Notification
    from evaluation.bulletins.services import publish
    from evaluation.models import BulletinEvent, ImmutableEventError

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish(march.pk, cast["supervisor"])
    assert len(callbacks) == 1
    events = list(march.events.order_by("id"))
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("create", "", "draft"),
        ("publish", "draft", "published"),
    ]
    assert events[1].actor == cast["supervisor"]
    notified = set(Notification.objects.filter(kind="bulletin_published").values_list("recipient_id", flat=True))
    assert {cast["supervisor"].pk, cast["finance"].pk} <= notified
    assert not notified & {cast[r].pk for r in ("collector", "operator", "dispatcher", "handler")}
    assert Notification.objects.get(recipient=cast["finance"], kind="bulletin_published").url.endswith(
        f"/bulletins/{march.pk}/"
    )
    with pytest.raises(ImmutableEventError):
        events[1].save()
    with pytest.raises(ImmutableEventError):
        events[0].delete()
    assert BulletinEvent.objects.filter(bulletin=march).count() == 2


def test_a_person_creating_a_bulletin_needs_the_publish_permission(story, cast):
    from evaluation.bulletins.services import create_bulletin
    from evaluation.models import Bulletin

    with pytest.raises(PermissionDenied):
        create_bulletin(2026, 3, cast["finance"])
    assert not Bulletin.objects.exists()
    bulletin, created = create_bulletin(2026, 3, cast["supervisor"])
    assert created and bulletin.events.get().actor == cast["supervisor"]


def test_channel_and_hotline_figures(client, march, cast):
    from cases.choices import CaseSource
    from cases.models import Case

    channels = {c["source"]: c for c in march.figures["channels"]}
    assert set(channels) == set(CaseSource.values)  # every channel, zeros included
    march_cases = Case.objects.filter(received_at__date__range=(date(2026, 3, 1), date(2026, 3, 31)))
    for source in CaseSource.values:
        of_source = march_cases.filter(source=source)
        assert channels[source]["counts"] == {
            "reported": of_source.count(),
            "registered": of_source.filter(registered_at__isnull=False).count(),
            "closed": of_source.filter(status="closed").count(),
        }, source
    assert sum(c["counts"]["reported"] for c in channels.values()) == 10
    assert march.figures["hotline"]["orders"] == 0 and march.figures["hotline"]["reply_rate"] is None

    client.force_login(cast["supervisor"])
    body = client.get(reverse("evaluation:bulletin", args=[march.pk])).content.decode()
    assert 'id="channels"' in body and 'data-source="collector"' in body
    hotline_row = body.split('data-key="reply_rate"')[1].split("</tr>")[0]
    assert "<abbr title=" in hotline_row  # the hotline figure's formula as its tooltip
    book = _workbook(client.get(reverse("evaluation:bulletin_workbook", args=[march.pk])).content)
    sheets = {ws.title: ws for ws in book.worksheets}
    channel_sheet = next(
        ws for ws in sheets.values() if ws.max_row == 3 + len(CaseSource.values) and ws.max_column == 6
    )
    reported = [row[1] for row in channel_sheet.iter_rows(min_row=4, values_only=True)]
    assert sum(reported) == 10 and all(isinstance(v, int) for v in reported)


def test_admin_shows_a_bulletin_with_its_events_read_only(client, march, cast):
    cast["admin"].is_staff = True
    cast["admin"].save()
    client.force_login(cast["admin"])
    response = client.get(reverse("admin:evaluation_bulletin_change", args=[march.pk]))
    assert response.status_code == 200 and b'id="events-group"' in response.content


def test_workbook_prints_on_a4_as_handed_out(client, march, cast):
    """Every sheet fits A4 width (landscape where wide) with its header row repeated; counts are whole numbers,
    rates percentages, times real dates, and the columns as wide as what they hold."""
    from datetime import datetime

    client.force_login(cast["supervisor"])
    book = _workbook(client.get(reverse("evaluation:bulletin_workbook", args=[march.pk])).content)
    for ws in book.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows == "$3:$3", ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[3]]
        assert len(widths) == 1 or len(set(widths)) > 1, ws.title

    headline = book.worksheets[0]
    rows = {row[0].value: row for row in headline.iter_rows(min_row=4)}
    labels = {d["key"]: d["label"] for d in march.figures["definitions"]}
    reported = rows[labels["reported"]][1]
    assert reported.value == 10 and reported.data_type == "n" and "." not in reported.number_format
    rate = rows[labels["disposal_rate"]][1]
    assert rate.value == pytest.approx(0.7143) and rate.number_format.endswith("%")

    departments = next(ws for ws in book.worksheets if ws.max_column >= 6 and ws["A3"].value in ("排名", "Rank"))
    assert departments.page_setup.orientation == "landscape"
    narrow = book.worksheets[-2]  # 待整改: one column of text
    assert narrow.max_column == 1 and narrow.page_setup.orientation == "portrait"

    overdue = next(ws for ws in book.worksheets if ws.max_column == 7 and ws.max_row >= 4)
    received = overdue.cell(4, 5)
    assert isinstance(received.value, datetime) and received.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(overdue.cell(4, 7).value, int) and "." not in overdue.cell(4, 7).number_format
    trend = book.worksheets[-3]
    month = trend.cell(trend.max_row, 1)
    assert month.value == datetime(2026, 3, 1) and month.number_format == "yyyy-mm"
    assert "." not in trend.cell(trend.max_row, 2).number_format
    assert trend.cell(trend.max_row, 4).number_format.endswith("%")
