"""Component and grid imports (commands and the admin upload) in the audit log."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from core.choices import AuditAction
from core.models import AuditEntry
from tests.fixtures.component_files import feature, row, square, write_csv, write_geojson

pytestmark = pytest.mark.django_db


def _latest() -> AuditEntry:
    return AuditEntry.objects.filter(action=AuditAction.IMPORT).order_by("-id").first()


def test_the_component_command_records_a_refused_and_a_written_import(town, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", [row(1), row(2, col=9)])
    with pytest.raises(CommandError):
        call_command("import_components", bad, stdout=io.StringIO())
    entry = _latest()
    assert entry.actor is None and entry.data["command"] == "import_components"
    assert (entry.data["file_name"], entry.data["rows"], entry.data["outcome"]) == (bad, 2, "refused")
    good = write_csv(tmp_path / "good.csv", [row(1)])
    call_command("import_components", good, stdout=io.StringIO())
    assert (_latest().data["outcome"], _latest().data["errors"]) == ("written", 0)


def test_the_grid_command_records_its_import(town, tmp_path):
    source = write_geojson(tmp_path / "g.geojson", [feature("500120001001003", square(0, 1))])
    call_command("import_grids", source, "--dry-run", stdout=io.StringIO())
    entry = _latest()
    assert entry.data["import"] == "grids" and entry.data["outcome"] == "dry_run" and entry.data["rows"] == 1


def test_the_admin_upload_records_who_and_which_file(client, personas, town, tmp_path):
    admin = personas["admin"]
    client.force_login(admin)
    path = write_csv(tmp_path / "部件.csv", [row(1), row(2, col=9)])
    with open(path, "rb") as upload:
        response = client.post("/admin/grids/component/import/", {"file": upload, "dry_run": "on"})
    assert response.status_code == 200
    entry = _latest()
    assert entry.actor == admin and entry.data["file_name"] == "部件.csv" and entry.data["outcome"] == "dry_run"
    assert entry.data["errors"] == 1 and entry.data["import"] == "components"
