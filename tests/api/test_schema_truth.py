"""The OpenAPI document says what the API answers: nullable where null is answered, binary where a workbook is
downloaded, a list where a list is returned, and the error statuses every operation can give."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def document(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("CaseList", "deadline"),
        ("CaseDetail", "deadline"),
        ("WorkOrderList", "case_no"),
        ("WorkOrderList", "department_name"),
        ("Me", "department"),
    ],
)
def test_fields_answered_as_null_are_nullable(document, component, field):
    prop = document["components"]["schemas"][component]["properties"][field]
    assert prop.get("nullable") or any(p.get("nullable") for p in prop.get("allOf", []) + prop.get("oneOf", []))


@pytest.mark.parametrize(
    "path",
    ["/api/v1/cases/export/", "/api/v1/bulletins/{id}/workbook.xlsx", "/api/v1/self-evaluations/{id}/workbook.xlsx"],
)
def test_workbooks_are_binary_downloads(document, path):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    assert list(content) == [XLSX] and content[XLSX]["schema"]["format"] == "binary"


def test_indicators_are_a_list(document):
    schema = document["paths"]["/api/v1/indicators/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["type"] == "array"


def test_every_operation_declares_its_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= declared, (method, path)
            if method == "post":
                assert {"409", "415"} <= declared, (method, path)
