"""Self-evaluation uploads refused before parsing; the self-evaluation and bulletin workbooks write formula-like
text (=, +, -, @, tab, CR) as text: openpyxl reads it back as a string and the sheet XML has no <f> element."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.selfeval import services, workbook
from tests.evaluation.selfeval_helpers import make_evaluation
from tests.fixtures.casebook import mark_overdue_and_sync
from tests.hostile import FORMULAS, far_cell_xlsx, zip_bomb_xlsx

pytestmark = pytest.mark.django_db

HOSTILE = {"far cell": far_cell_xlsx(), "zip bomb": zip_bomb_xlsx(40)}
ON_THE_PAGE = {"far cell": "最多接受 5,000 行", "zip bomb": "压缩炸弹"}  # the self-evaluation's own, stricter cap


def _no_formulas(body: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def _strings(body: bytes) -> dict[str, str]:
    book = load_workbook(io.BytesIO(body))
    return {c.value: c.data_type for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_page_refuses_a_hostile_workbook_and_writes_nothing(client, personas, kind):
    evaluation = make_evaluation()
    client.force_login(personas["finance"])
    url = reverse("evaluation:self_evaluation_import", args=[evaluation.pk])
    events = evaluation.events.count()
    response = client.post(url, {"workbook": SimpleUploadedFile("filled.xlsx", HOSTILE[kind])})
    assert response.status_code == 400 and ON_THE_PAGE[kind] in response.content.decode()
    assert evaluation.events.count() == events  # nothing imported, nothing recorded


def test_the_self_evaluation_workbook_writes_formula_like_text_as_text():
    evaluation = make_evaluation()
    evaluation.goal_expected, evaluation.achievements, evaluation.problems, evaluation.measures = FORMULAS[:4]
    evaluation.save()
    body = workbook.workbook_bytes(services.load(evaluation))
    _no_formulas(body)
    cells = _strings(body)
    assert all(cells.get(text) == "s" for text in FORMULAS[:4])


def test_the_bulletin_workbook_writes_formula_like_names_as_text(client, story, department, cast):
    from evaluation.bulletins.services import create_bulletin

    department.name = FORMULAS[0]
    department.save()
    mark_overdue_and_sync()
    bulletin, _created = create_bulletin(2026, 3)
    client.force_login(cast["supervisor"])
    response = client.get(reverse("evaluation:bulletin_workbook", args=[bulletin.pk]))
    assert response.status_code == 200
    _no_formulas(response.content)
    assert _strings(response.content).get(FORMULAS[0]) == "s"
