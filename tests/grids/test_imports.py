"""Imports of grids and components, beyond the basics of test_loaders.py: header problems, spreadsheet pitfalls,
text that COPY must escape, set-based overlap checks, community codes, zipped and projected Shapefiles, the report
as a list, and the admin upload page (dry run, grid filter, who may upload).

The fixtures are this file's own: district 500120, street 500120001, community 500120001001 with two unit grids
side by side (cells of 0.002° from 106.300, 29.700), one department.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from grids.loaders import import_components, import_grids
from grids.models import Component, Region, UnitGrid
from tests.fixtures.component_files import (
    CREDIT_CODE,
    centre,
    feature,
    ident,
    row,
    square,
    write_csv,
    write_geojson,
)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English; the console default is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


class TestComponentFiles:
    def test_a_file_without_the_required_columns_gets_one_error_per_column_not_one_per_row(self, town, tmp_path):
        path = write_csv(tmp_path / "c.csv", [["x"] * 3] * 500, header=["编号", "类别", "位置"])
        report = import_components(path)
        assert [(e.row, e.field) for e in report.errors] == [
            (1, "identifier"),
            (1, "class_code"),
            (1, "lng"),
            (1, "lat"),
        ]
        assert "部件标识码" in report.errors[0].message  # names the headers it would have accepted

    def test_every_bad_row_kind_with_its_number_and_the_report_as_a_list(self, town, tmp_path):
        rows = [
            row(1),  # 2: good
            row(2, name="名" * 101),  # 3: name too long
            row(3, identifier=ident(3, "04001")),  # 4: identifier of another class
            row(4, class_code="09999", identifier=ident(4, "09999")),  # 5: unknown class
            row(5, col=7),  # 6: outside every grid
            row(1, col=1),  # 7: duplicate identifier of row 2
            row(7, lat=""),  # 8: missing field
            row(8, maintainer="91500120MA5U00000X"),  # 9: unknown department (credit code)
            row(9, status="坏了"),  # 10: unknown status
        ]
        report = import_components(write_csv(tmp_path / "c.csv", rows))
        assert report.as_list() == [
            {"row": 3, "field": "name", "message": "longer than 100 characters"},
            {"row": 4, "field": "identifier", "message": report.as_list()[1]["message"]},
            {"row": 5, "field": "class_code", "message": "unknown component class 09999 in standard gbt47678-5-2026"},
            {"row": 6, "field": "lng", "message": report.as_list()[3]["message"]},
            {"row": 7, "field": "identifier", "message": f"identifier {ident(1)} already in row 2"},
            {"row": 8, "field": "lat", "message": "missing coordinates"},
            {"row": 9, "field": "maintainer", "message": "unknown department 91500120MA5U00000X"},
            {"row": 10, "field": "status", "message": "unknown status 坏了"},
        ]
        assert "outside every unit grid" in report.as_list()[3]["message"]
        assert report.rows == 9 and report.skipped == 9 and not report.written
        assert not Component.objects.exists()

    def test_skip_invalid_writes_the_good_rows_in_their_grids(self, town, tmp_path):
        rows = [row(1), row(2, col=1), row(3, col=9), row(4, maintainer=CREDIT_CODE)]
        report = import_components(write_csv(tmp_path / "c.csv", rows), skip_invalid=True)
        assert (report.created, report.skipped, [e.row for e in report.errors]) == (3, 1, [4])
        grids = dict(Component.objects.values_list("identifier", "grid__code"))
        assert grids == {ident(1): "500120001001001", ident(2): "500120001001002", ident(4): "500120001001001"}
        assert Component.objects.get(identifier=ident(4)).maintainer == town["water"]

    def test_reimport_moves_a_component_to_its_new_grid_and_counts_unchanged_rows(self, town, tmp_path):
        import_components(write_csv(tmp_path / "a.csv", [row(1), row(2)]))
        ids_before = set(Component.objects.values_list("pk", flat=True))
        report = import_components(write_csv(tmp_path / "b.csv", [row(1), row(2, col=1)]))
        assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
        assert set(Component.objects.values_list("pk", flat=True)) == ids_before  # updated in place
        assert Component.objects.get(identifier=ident(2)).grid.code == "500120001001002"

    def test_tabs_newlines_and_backslashes_survive_the_copy(self, town, tmp_path):
        note = 'line one\nline\ttwo C:\\pipes "quoted"'
        path = write_csv(tmp_path / "c.csv", [row(1, note=note)])
        assert import_components(path).ok
        assert Component.objects.get().note == note

    def test_gb18030_file(self, town, tmp_path):
        path = write_csv(tmp_path / "c.csv", [row(1, name="䶮井盖")], encoding="gb18030")  # 䶮 is not in GBK
        assert import_components(path).ok
        assert Component.objects.get().name == "䶮井盖"

    def test_dry_run_says_so_and_writes_nothing(self, town, tmp_path):
        report = import_components(write_csv(tmp_path / "c.csv", [row(1)]), dry_run=True)
        assert report.ok and not report.written and not Component.objects.exists()
        assert "Dry run" in report.as_text()

    def test_excel_numbers_lose_leading_zeros_and_last_digits(self, town, tmp_path):
        book = Workbook()
        sheet = book.active
        sheet.append(["部件标识码", "小类代码", "经度", "纬度", "管径"])
        sheet.append([ident(1), 1001, *centre(0), 300])  # class code typed as a number: 01001 → 1001
        sheet.append([float(ident(2)), "01001", *centre(1), 300])  # identifier as a number: digits lost
        path = tmp_path / "c.xlsx"
        book.save(path)
        report = import_components(str(path), skip_invalid=True)
        assert [(e.row, e.field) for e in report.errors] == [(3, "identifier")]
        assert "format the column as text" in report.errors[0].message
        component = Component.objects.get()
        assert component.minor_class.code == "01001" and component.extra == {"管径": "300"}

    def test_legacy_identifier_with_its_standard(self, town, tmp_path):
        header = ["identifier", "class_code", "standard", "lng", "lat"]
        rows = [[f"5001200101{1:06d}", "0101", "cjt214-2007", *map(str, centre(0))]]
        report = import_components(write_csv(tmp_path / "c.csv", rows, header=header))
        assert report.ok, report.as_text()
        assert Component.objects.get().minor_class.standard.code == "cjt214-2007"

    def test_damaged_geojson_is_one_file_error(self, town, tmp_path):
        path = tmp_path / "c.geojson"
        path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
        report = import_components(str(path))
        assert [(e.row, e.field) for e in report.errors] == [(0, "file")]

    def test_the_command_prints_the_numbered_report_and_fails(self, town, tmp_path, capsys):
        path = write_csv(tmp_path / "c.csv", [row(1), row(2, col=9)])
        with pytest.raises(CommandError):
            call_command("import_components", path)
        assert re.search(r"(row 3, lng|第 3 行，lng)", capsys.readouterr().out)  # commands speak the site language
        call_command("import_components", path, "--dry-run", "--skip-invalid")
        assert not Component.objects.exists()


# ---- Grids ---------------------------------------------------------------------------------------------------------


class TestGridFiles:
    def test_overlaps_inside_the_file_and_with_current_grids_are_found_set_based(self, town, tmp_path):
        features = [
            feature("500120001001003", square(0, 1)),  # 1: fine (shares an edge with the current grids)
            feature("500120001001004", square(0.5, 1)),  # 2: overlaps row 1
            feature("500120001001005", square(1.5, -0.5)),  # 3: overlaps current 002
            feature("500120001001006", square(1, 1)),  # 4: overlaps row 2 (row 1 only along an edge)
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert report.as_list() == [
            {"row": 2, "field": "geometry", "message": "overlaps grid 500120001001003 of row 1"},
            {"row": 3, "field": "geometry", "message": "overlaps current grid 500120001001002"},
            {"row": 4, "field": "geometry", "message": "overlaps grid 500120001001004 of row 2"},
        ]
        assert not UnitGrid.objects.filter(code="500120001001003").exists()

    def test_the_community_code_column_must_match_the_grid_code(self, town, tmp_path):
        features = [
            feature("500120001001003", square(0, 1), community_code="500120001002"),
            feature("500120001001004", square(1, 1), community_code="500120001001", name="网" * 101),
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert [(e.row, e.field) for e in report.errors] == [(1, "code"), (2, "name")]
        assert "500120001002" in report.errors[0].message

    def test_redraw_keeps_history_and_components_follow(self, town, tmp_path):
        import_components(write_csv(tmp_path / "c.csv", [row(1, col=1)]))
        features = [
            feature("500120001001001", square(0, 0, cols=2), valid_from="2026-03-01"),
            feature("500120001001002", square(0, 1, cols=2), valid_from="2026-03-01"),
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert report.ok and report.updated == 2, report.as_text()
        history = UnitGrid.objects.filter(code="500120001001002").order_by("valid_from")
        assert [(g.valid_from, g.valid_to) for g in history] == [
            (date(2024, 1, 1), date(2026, 3, 1)),
            (date(2026, 3, 1), None),
        ]
        component = Component.objects.get()
        assert component.grid.code == "500120001001001" and component.grid.valid_to is None

    def test_zipped_shapefile_in_cgcs2000_gauss_kruger(self, town, tmp_path):
        """Chinese survey data comes projected (CGCS2000 3° Gauss-Krüger); the importer reads the .prj."""
        source = write_geojson(
            tmp_path / "g.geojson",
            [feature("500120002001001", square(0, 2), name="新网格", comm_name="新社区", street_name="新街道")],
        )
        folder = tmp_path / "shp"
        folder.mkdir()
        subprocess.run(
            ["ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:4544", "-lco", "ENCODING=UTF-8", str(folder), source],
            check=True,
            capture_output=True,
        )
        archive = tmp_path / "grids.zip"
        with zipfile.ZipFile(archive, "w") as out:
            for part in folder.iterdir():
                out.write(part, part.name)
        report = import_grids(str(archive))
        assert report.ok and report.created == 1, report.as_text()
        grid = UnitGrid.objects.get(code="500120002001001")
        assert grid.name == "新网格" and grid.community.parent.name == "新街道"
        assert grid.geometry.equals_exact(square(0, 2), 1e-7)  # back in WGS84 to ~1 cm
        assert Region.objects.get(code="500120002").boundary is not None

    def test_dry_run_checks_everything_and_writes_nothing(self, town, tmp_path):
        features = [feature("500120001001003", square(0, 1))]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features), dry_run=True)
        assert report.ok and not report.written and "Dry run" in report.as_text()
        assert UnitGrid.objects.count() == 2


# ---- Admin ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, personas):
    personas["admin"].is_staff = True
    personas["admin"].save()
    client.force_login(personas["admin"])
    return client


class TestAdmin:
    def test_the_changelist_links_to_the_upload_page(self, admin_client, town):
        body = admin_client.get("/admin/grids/unitgrid/").content.decode()
        assert "/admin/grids/unitgrid/import/" in body

    def test_a_dry_run_upload_shows_the_numbered_report_and_writes_nothing(self, admin_client, town, tmp_path):
        path = write_csv(tmp_path / "c.csv", [row(1), row(2, col=9)])
        with open(path, "rb") as upload:
            response = admin_client.post(
                "/admin/grids/component/import/", {"file": upload, "dry_run": "on", "skip_invalid": "on"}
            )
        body = response.content.decode()
        assert response.status_code == 200 and 'id="import-errors"' in body
        assert "<td>3</td><td>lng</td>" in body and not Component.objects.exists()

    def test_a_zipped_shapefile_uploaded_to_the_grid_admin(self, admin_client, town, tmp_path):
        source = write_geojson(tmp_path / "g.geojson", [feature("500120001001003", square(0, 1))])
        folder = tmp_path / "shp"
        folder.mkdir()
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", str(folder), source], check=True, capture_output=True)
        archive = tmp_path / "grids.zip"
        with zipfile.ZipFile(archive, "w") as out:
            for part in folder.iterdir():
                out.write(part, part.name)
        with open(archive, "rb") as upload:
            response = admin_client.post("/admin/grids/unitgrid/import/", {"file": upload})
        assert response.status_code == 200
        assert UnitGrid.objects.filter(code="500120001001003", valid_to__isnull=True).exists()

    def test_components_filtered_by_grid_or_community_code(self, admin_client, town, tmp_path):
        import_components(write_csv(tmp_path / "c.csv", [row(1), row(2, col=1)]))
        body = admin_client.get("/admin/grids/component/?grid_code=500120001001002").content.decode()
        assert ident(2) in body and ident(1) not in body
        body = admin_client.get("/admin/grids/component/?grid_code=500120001001").content.decode()
        assert ident(1) in body and ident(2) in body

    def test_staff_without_the_add_permission_see_no_link_and_may_not_upload(self, client, make_user, town):
        from django.contrib.auth.models import Permission

        from core.choices import Role

        viewer = make_user("viewer", Role.SUPERVISOR, is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_component"))
        client.force_login(viewer)
        changelist = client.get("/admin/grids/component/")
        assert changelist.status_code == 200 and "/import/" not in changelist.content.decode()
        assert client.post("/admin/grids/component/import/").status_code == 403
