"""案件导出: the console and the API export exactly the filtered cases their reader may see."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases.services import perform

pytestmark = pytest.mark.django_db


def _dispatched(new_case, cast, wf_class, department):
    case = new_case()
    perform(case.pk, "accept", cast["operator"])
    perform(case.pk, "register", cast["leader"], condition=wf_class["condition"].pk)
    return perform(case.pk, "dispatch", cast["dispatcher"], department=department.pk)


def _rows(body: bytes) -> list[tuple]:
    sheet = load_workbook(BytesIO(body)).active
    return list(sheet.iter_rows(values_only=True))


def test_a_department_exports_only_its_own_cases(new_case, cast, wf_class, department, other_department, api_as):
    ours = _dispatched(new_case, cast, wf_class, department)
    theirs = _dispatched(new_case, cast, wf_class, other_department)
    response = api_as(cast["handler"]).get("/api/v1/cases/export/")
    assert response.status_code == 200 and response["X-Row-Count"] == "1"
    header, *rows = _rows(response.content)
    assert [row[0] for row in rows] == [ours.case_no] and theirs.case_no not in str(rows)
    assert len(header) == 22 and isinstance(rows[0][11], datetime)  # received: a real date cell
    assert rows[0][14] == department.name

    other = api_as(cast["other_handler"]).get("/api/v1/cases/export/")
    assert [row[0] for row in _rows(other.content)[1:]] == [theirs.case_no]


def test_the_export_follows_the_filters(new_case, cast, wf_class, department, api_as):
    dispatched = _dispatched(new_case, cast, wf_class, department)
    reported = new_case()
    client = api_as(cast["dispatcher"])
    everything = _rows(client.get("/api/v1/cases/export/").content)[1:]
    assert {row[0] for row in everything} == {dispatched.case_no, reported.case_no}
    only = _rows(client.get("/api/v1/cases/export/", {"status": "reported"}).content)[1:]
    assert [row[0] for row in only] == [reported.case_no]
    assert client.get("/api/v1/cases/export/", {"status": "nonsense"}).status_code == 400


def test_the_console_exports_the_queue_as_seen(new_case, cast, wf_class, department, client):
    ours = _dispatched(new_case, cast, wf_class, department)
    new_case()  # a fresh report: not in the department's queue
    client.force_login(cast["handler"])
    page = client.get("/cases/")
    assert b"/cases/export.xlsx?" in page.content
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [row[0] for row in _rows(response.content)[1:]] == [ours.case_no]
    client.force_login(cast["finance"])
    assert client.get("/cases/export.xlsx").status_code == 403


def test_descriptions_that_look_like_formulas_are_exported_as_text(new_case, cast, api_as):
    """OWASP formula injection: the workbook holds no <f> element and every such description reads back as text."""
    import zipfile

    from tests.hostile import FORMULAS

    for text in FORMULAS:
        new_case(description=text, address=text)
    response = api_as(cast["dispatcher"]).get("/api/v1/cases/export/")
    archive = zipfile.ZipFile(BytesIO(response.content))
    assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    cells = [row[10] for row in load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2)]
    assert {c.value for c in cells} == {f.replace("\r", "\n") for f in FORMULAS}
    assert all(c.data_type == "s" for c in cells)
