"""Importing grids and components from files: row-numbered reports, all-or-nothing, re-imports, history."""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from grids.loaders import import_components, import_grids
from grids.models import Component, Region, UnitGrid
from tests.grids.conftest import CELL, ORIGIN_LAT, ORIGIN_LNG, centre, square

HEADER = ["identifier", "class_code", "name", "status", "maintainer", "census_date", "lng", "lat", "material"]


def ident(serial: int, class_code: str = "01001") -> str:
    return f"500120{class_code}{serial:06d}"


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


@pytest.fixture
def water(db):
    from core.models import Department

    return Department.objects.create(code="water", name="区自来水有限公司")


def good_row(serial: int, col: float = 0, row: float = 0, status: str = "完好"):
    lng, lat = centre(col, row)
    return [ident(serial), "01001", "供水井盖", status, "water", "2021-05-01", f"{lng:.6f}", f"{lat:.6f}", "铸铁"]


class TestComponentsFromCsv:
    def test_good_rows_are_created_with_their_grid_and_extra_attributes(self, city, water, tmp_path):
        path = write_csv(tmp_path / "c.csv", [good_row(1), good_row(2, col=2)])
        report = import_components(path)
        assert report.ok, report.as_text()
        assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
        first = Component.objects.get(identifier=ident(1))
        assert first.grid.code == "500120001001001"
        assert first.maintainer == water
        assert first.census_date == date(2021, 5, 1)
        assert first.extra == {"material": "铸铁"}
        assert Component.objects.get(identifier=ident(2)).grid.code == "500120001002001"

    def test_reimport_updates_by_identifier_and_never_duplicates(self, city, water, tmp_path):
        import_components(write_csv(tmp_path / "a.csv", [good_row(1), good_row(2)]))
        report = import_components(write_csv(tmp_path / "b.csv", [good_row(1), good_row(2, status="破损")]))
        assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
        assert Component.objects.count() == 2
        assert Component.objects.get(identifier=ident(2)).status == "damaged"

    def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(self, city, water, tmp_path):
        outside_lng, outside_lat = ORIGIN_LNG - 10 * CELL, ORIGIN_LAT
        rows = [
            good_row(1),  # row 2
            [ident(2, "01002"), "01001", "", "完好", "", "", *map(str, centre(0, 0)), ""],  # 3: class part wrong
            [ident(3, "99999"), "99999", "", "完好", "", "", *map(str, centre(0, 0)), ""],  # 4: unknown class
            [ident(4), "01001", "", "完好", "", "", str(outside_lng), str(outside_lat), ""],  # 5: outside
            good_row(1),  # 6: duplicate identifier
            [ident(6), "01001", "", "完好", "", "", str(centre(0, 0)[0]), "", ""],  # 7: missing lat
            [ident(7), "01001", "", "烂了", "nobody", "2021-13-40", *map(str, centre(0, 0)), ""],  # 8
            ["", "01001", "", "", "", "", *map(str, centre(0, 0)), ""],  # 9: missing identifier
        ]
        report = import_components(write_csv(tmp_path / "bad.csv", rows))
        found = {(e.row, e.field) for e in report.errors}
        assert {(3, "identifier"), (4, "class_code"), (5, "lng"), (6, "identifier"), (7, "lat")} <= found
        assert {(8, "status"), (8, "maintainer"), (8, "census_date"), (9, "identifier")} <= found
        assert 2 not in {e.row for e in report.errors}
        assert not report.written and Component.objects.count() == 0
        assert f"{outside_lng:.6f}" in next(e.message for e in report.errors if e.row == 5)  # names the point

    def test_skip_invalid_loads_the_good_rows(self, city, water, tmp_path):
        rows = [good_row(1), [ident(2), "01001", "", "完好", "", "", "0", "0", ""], good_row(3, col=1)]
        report = import_components(write_csv(tmp_path / "c.csv", rows), skip_invalid=True)
        assert report.created == 2 and report.skipped == 1 and [e.row for e in report.errors] == [3]
        assert set(Component.objects.values_list("identifier", flat=True)) == {ident(1), ident(3)}

    def test_dry_run_writes_nothing(self, city, water, tmp_path):
        report = import_components(write_csv(tmp_path / "c.csv", [good_row(1)]), dry_run=True)
        assert report.ok and not report.written and Component.objects.count() == 0

    def test_gbk_encoded_file_with_chinese_headers(self, city, water, tmp_path):
        header = ["部件标识码", "小类代码", "部件名称", "部件状态", "养护单位", "初始日期", "经度", "纬度"]
        path = write_csv(tmp_path / "gbk.csv", [good_row(1)[:8]], header=header, encoding="gbk")
        report = import_components(path)
        assert report.ok, report.as_text()
        assert Component.objects.get().maintainer == water

    def test_the_command_fails_loudly_on_bad_rows(self, city, water, tmp_path):
        path = write_csv(tmp_path / "c.csv", [good_row(1), [ident(2), "01001", "", "", "", "", "x", "y", ""]])
        with pytest.raises(CommandError, match="--skip-invalid"):
            call_command("import_components", path)
        assert Component.objects.count() == 0
        call_command("import_components", path, "--skip-invalid")
        assert Component.objects.count() == 1


def test_components_from_excel(city, water, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["部件标识码", "小类代码", "部件状态", "主管部门", "初始日期", "经度", "纬度", "规格"])
    sheet.append([ident(1), "01001", "破损", "区自来水有限公司", date(2020, 3, 1), *centre(1, 0), "700mm"])
    sheet.append([ident(2), "01001", "完好", "", "", None, None, ""])
    path = tmp_path / "inventory.xlsx"
    book.save(path)
    report = import_components(str(path))
    assert [(e.row, e.field) for e in report.errors] == [(3, "lng")]
    report = import_components(str(path), skip_invalid=True)
    component = Component.objects.get()
    assert component.status == "damaged" and component.supervising_department == water
    assert component.census_date == date(2020, 3, 1) and component.extra == {"规格": "700mm"}


def test_components_from_geojson_keep_lines_and_polygons(city, tmp_path):
    x0, y0 = ORIGIN_LNG + 0.2 * CELL, ORIGIN_LAT + 0.2 * CELL
    ring = [[x0, y0], [x0 + 0.0002, y0], [x0 + 0.0002, y0 + 0.0002], [x0, y0 + 0.0002], [x0, y0]]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"identifier": ident(1, "04001"), "class_code": "04001", "name": "街头绿地"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(centre(2, 0))},
            "properties": {"identifier": ident(2), "class_code": "01001"},
        },
    ]
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report = import_components(str(path))
    assert report.ok, report.as_text()
    green = Component.objects.get(identifier=ident(1, "04001"))
    assert green.geometry.geom_type == "Polygon"
    assert green.geometry.contains(green.location) and green.grid.code == "500120001001001"


def test_unsupported_file_type_is_refused(db, tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("nothing")
    report = import_components(str(path))
    assert report.errors[0].field == "file"


# ---- Grids ---------------------------------------------------------------------------------------------------------


def grid_feature(code: str, geometry, **props) -> dict:
    return {"type": "Feature", "geometry": json.loads(geometry.json), "properties": {"code": code, **props}}


def write_geojson(path, features) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


class TestGrids:
    def test_new_grids_with_new_regions(self, city, tmp_path):
        features = [
            grid_feature(
                "500120003001001", square(0, 3), name="新区1号网格", comm_name="新区社区", street_name="新街道"
            ),
            grid_feature(
                "500120003001002", square(1, 3), name="新区2号网格", comm_name="新区社区", street_name="新街道"
            ),
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert report.ok, report.as_text()
        assert report.created == 2
        community = Region.objects.get(code="500120003001")
        assert community.name == "新区社区" and community.parent.code == "500120003"
        assert community.boundary is not None
        grid = UnitGrid.objects.get(code="500120003001001")
        assert 40_000 < grid.area_m2 < 50_000  # 0.002° × 0.002° near 29.6°N

    def test_bad_rows_are_numbered_and_nothing_is_written(self, city, tmp_path):
        features = [
            grid_feature("500120003001001", square(0, 3), comm_name="新区社区", street_name="新街道"),  # 1: fine
            grid_feature("50012000300100", square(1, 3)),  # 2: 14 digits
            grid_feature("500120001001009", square(0.5, 0)),  # 3: overlaps current grids
            grid_feature("500120009001001", square(5, 5)),  # 4: unknown community, no names
            grid_feature("500120003001001", square(2, 3)),  # 5: duplicate code
            {"type": "Feature", "geometry": None, "properties": {"code": "500120001001010"}},  # 6: no geometry
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert {e.row for e in report.errors} == {2, 3, 4, 5, 6}
        assert "500120001001001" in next(e.message for e in report.errors if e.row == 3)
        assert not report.written
        assert not UnitGrid.objects.filter(code__startswith="500120003").exists()
        report = import_grids(write_geojson(tmp_path / "g.geojson", features), skip_invalid=True)
        assert report.created == 1 and report.skipped == 5

    def test_redrawing_a_grid_keeps_its_history_and_moves_components(self, city, make_component, tmp_path):
        lamp = make_component(*centre(1, 0), grid=city["grids"]["500120001001002"])
        # A001 grows over A002's area; A002 shrinks to nothing in this file (it stays; only A001 is re-drawn)
        # so the test re-draws both: A001 takes the whole block, A002 moves to a new place.
        features = [
            grid_feature("500120001001001", square(0, 0, cols=2), valid_from="2026-01-01"),
            grid_feature("500120001001002", square(0, 2), valid_from="2026-01-01"),
        ]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert report.ok, report.as_text()
        assert report.updated == 2
        versions = UnitGrid.objects.filter(code="500120001001001").order_by("valid_from")
        assert [(v.valid_from, v.valid_to) for v in versions] == [
            (date(2020, 1, 1), date(2024, 1, 1)),
            (date(2024, 1, 1), date(2026, 1, 1)),
            (date(2026, 1, 1), None),
        ]
        lamp.refresh_from_db()
        assert lamp.grid.code == "500120001001001" and lamp.grid.valid_to is None

    def test_reimporting_the_same_grids_changes_nothing(self, city, tmp_path):
        features = [grid_feature("500120001001001", square(0, 0), name="东关1号网格")]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert report.unchanged == 1 and UnitGrid.objects.filter(code="500120001001001").count() == 2

    def test_redraw_must_start_after_the_current_version(self, city, tmp_path):
        features = [grid_feature("500120001001001", square(0, 0, cols=0.5), valid_from="2023-06-01")]
        report = import_grids(write_geojson(tmp_path / "g.geojson", features))
        assert [e.field for e in report.errors] == ["valid_from"]

    def test_shapefile(self, city, tmp_path):
        source = write_geojson(
            tmp_path / "g.geojson",
            [grid_feature("500120003001001", square(0, 3), comm_name="新区社区", street_name="新街道")],
        )
        target = tmp_path / "grids.shp"
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", str(target), source], check=True)
        report = import_grids(str(target))
        assert report.ok, report.as_text()
        assert Region.objects.get(code="500120003001").name == "新区社区"

    def test_the_command(self, city, tmp_path):
        path = write_geojson(tmp_path / "g.geojson", [grid_feature("1", square(0, 3))])
        with pytest.raises(CommandError):
            call_command("import_grids", path)


class TestAdminUpload:
    def test_an_administrator_uploads_components_and_reads_the_report(self, client, personas, city, water, tmp_path):
        personas["admin"].is_staff = True
        personas["admin"].save()
        client.force_login(personas["admin"])
        assert client.get("/admin/grids/component/").status_code == 200
        path = write_csv(tmp_path / "c.csv", [good_row(1), [ident(2), "01001", "", "", "", "", "x", "1", ""]])
        with open(path, "rb") as upload:
            response = client.post("/admin/grids/component/import/", {"file": upload})
        body = response.content.decode()
        assert response.status_code == 200 and "import-report" in body
        assert Component.objects.count() == 0  # all-or-nothing
        with open(path, "rb") as upload:
            client.post("/admin/grids/component/import/", {"file": upload, "skip_invalid": "on"})
        assert Component.objects.count() == 1

    def test_wrong_file_type_is_refused_by_the_form(self, client, personas, tmp_path):
        personas["admin"].is_staff = True
        personas["admin"].save()
        client.force_login(personas["admin"])
        path = tmp_path / "c.exe"
        path.write_bytes(b"MZ")
        with open(path, "rb") as upload:
            response = client.post("/admin/grids/unitgrid/import/", {"file": upload})
        assert response.status_code == 200 and "errorlist" in response.content.decode()

    def test_a_supervisor_may_not_import(self, client, personas):
        personas["supervisor"].is_staff = True
        personas["supervisor"].save()
        client.force_login(personas["supervisor"])
        assert client.get("/admin/grids/component/import/").status_code == 403


def test_an_identifier_edited_in_the_admin_is_validated(city, make_component):
    from django.core.exceptions import ValidationError

    component = make_component(*centre(0, 0))
    component.identifier = "50012001020000001"  # the class part says 0102, the class is 0101
    with pytest.raises(ValidationError) as err:
        component.full_clean()
    assert "identifier" in err.value.message_dict
