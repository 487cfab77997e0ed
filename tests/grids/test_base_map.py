"""The base map from the city's own GIS: layers imported from GeoJSON and Shapefile (row-numbered report,
all-or-nothing), the Web-Mercator columns, the base vector tiles per zoom, and who may read them."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command

from grids.basemap.loader import import_base_layer
from grids.basemap.tiles import BUILDINGS_MIN_ZOOM
from grids.models import Building, GreenSpace, PlaceLabel, Road, Water

from .conftest import ORIGIN_LAT, ORIGIN_LNG, centre
from .test_tiles import decode_tile, tile_of

pytestmark = pytest.mark.django_db

X0, Y0 = ORIGIN_LNG, ORIGIN_LAT


def _collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _feature(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _line(*points) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def _box(x: float, y: float, size: float = 0.0002) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- Import ------------------------------------------------------------------------------------------------


def test_good_roads_file_is_imported_with_chinese_classes(tmp_path):
    path = _write(
        tmp_path,
        "roads.geojson",
        _collection(
            [
                _feature(_line((X0, Y0), (X0 + 0.004, Y0)), 名称="璧泉路", 道路等级="主干路"),
                _feature(_line((X0, Y0 + 0.001), (X0 + 0.004, Y0 + 0.001)), name="文星路", **{"class": "secondary"}),
                _feature(_line((X0, Y0 + 0.002), (X0 + 0.001, Y0 + 0.003)), NAME="", CLASS="街巷"),
            ]
        ),
    )
    report = import_base_layer("roads", str(path))
    assert report.ok and report.written and report.created == 3
    roads = {r.name: r for r in Road.objects.all()}
    assert roads["璧泉路"].road_class == "arterial" and roads["文星路"].road_class == "secondary"
    assert roads[""].road_class == "lane" and roads[""].source == "roads.geojson"
    assert roads["璧泉路"].geometry.geom_type == "MultiLineString"
    # The stored Web-Mercator copy is PostgreSQL's own projection of the geometry.
    start = roads["璧泉路"].mercator.coords[0][0]
    assert start == pytest.approx(Point(X0, Y0, srid=4326).transform(3857, clone=True).coords, abs=0.01)


def test_a_bad_row_is_reported_by_number_and_nothing_is_written(tmp_path):
    Road.objects.create(name="旧路", road_class="branch", geometry=MultiLineString(LineString((X0, Y0), (X0, Y0 + 1))))
    path = _write(
        tmp_path,
        "roads.geojson",
        _collection(
            [
                _feature(_line((X0, Y0), (X0 + 0.004, Y0)), name="璧泉路", **{"class": "主干路"}),
                _feature(_line((X0, Y0), (X0 + 0.004, Y0)), name="无等级路"),
                _feature(_box(X0, Y0), name="面状道路", **{"class": "支路"}),
                _feature(_line((X0, Y0), (X0 + 0.004, Y0)), name="某路", **{"class": "高架"}),
                _feature(None, name="无图形", **{"class": "支路"}),
            ]
        ),
    )
    report = import_base_layer("roads", str(path))
    assert not report.written and report.created == 0 and report.skipped == 5
    assert [(e.row, e.field) for e in report.sorted_errors] == [
        (2, "class"),
        (3, "geometry"),
        (4, "class"),
        (5, "geometry"),
    ]
    assert "Polygon" in report.sorted_errors[1].message
    assert "高架" in report.sorted_errors[2].message
    assert list(Road.objects.values_list("name", flat=True)) == ["旧路"]  # the stored layer is untouched


def test_skip_invalid_loads_the_good_rows_and_replaces_the_layer(tmp_path):
    Building.objects.create(geometry=MultiPolygon(Polygon.from_bbox((X0, Y0, X0 + 0.001, Y0 + 0.001))))
    path = _write(
        tmp_path,
        "buildings.geojson",
        _collection(
            [
                _feature(_box(X0, Y0), 名称="璧山中学", 层数="6"),
                _feature(_box(X0 + 0.001, Y0), floors="many"),
                _feature(_box(X0 + 0.002, Y0), floors=3.0),
            ]
        ),
    )
    report = import_base_layer("buildings", str(path), skip_invalid=True)
    assert report.written and report.created == 2 and report.skipped == 1 and report.replaced == 1
    assert [(e.row, e.field) for e in report.errors] == [(2, "floors")]
    assert sorted(Building.objects.values_list("name", "floors")) == [("", 3), ("璧山中学", 6)]
    # Importing the same file again replaces, never doubles.
    again = import_base_layer("buildings", str(path), skip_invalid=True)
    assert again.replaced == 2 and Building.objects.count() == 2


def test_self_crossing_polygon_and_missing_label_name_are_refused(tmp_path):
    bow_tie = {"type": "Polygon", "coordinates": [[[X0, Y0], [X0 + 1, Y0 + 1], [X0 + 1, Y0], [X0, Y0 + 1], [X0, Y0]]]}
    green = _write(tmp_path, "green.geojson", _collection([_feature(bow_tie, name="公园")]))
    report = import_base_layer("green", str(green))
    assert [(e.row, e.field) for e in report.errors] == [(1, "geometry")]
    assert "Self-intersection" in report.errors[0].message
    labels = _write(
        tmp_path,
        "labels.geojson",
        _collection(
            [
                _feature({"type": "Point", "coordinates": [X0, Y0]}, name="东林社区", kind="社区"),
                _feature({"type": "Point", "coordinates": [X0, Y0]}, kind="地标"),
            ]
        ),
    )
    report = import_base_layer("labels", str(labels))
    assert [(e.row, e.field) for e in report.errors] == [(2, "name")]
    assert GreenSpace.objects.count() == 0 and PlaceLabel.objects.count() == 0


def test_heights_of_a_3d_survey_line_are_dropped(tmp_path):
    line = {"type": "LineString", "coordinates": [[X0, Y0, 251.5], [X0 + 0.001, Y0, 252.0]]}
    path = _write(tmp_path, "roads.geojson", _collection([_feature(line, name="璧泉路", **{"class": "主干路"})]))
    report = import_base_layer("roads", str(path))
    assert report.ok and report.created == 1, report.as_text()
    assert not Road.objects.get().geometry.hasz


def test_dry_run_writes_nothing(tmp_path):
    path = _write(tmp_path, "water.geojson", _collection([_feature(_box(X0, Y0), name="秀湖", kind="湖泊")]))
    report = import_base_layer("water", str(path), dry_run=True)
    assert report.ok and not report.written and Water.objects.count() == 0


def _zipped_shapefile(tmp_path, geojson, *options: str):
    folder = tmp_path / "shp"
    folder.mkdir()
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", *options, str(folder), str(geojson)], check=True, capture_output=True
    )
    archive = tmp_path / "layer.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in folder.iterdir():
            out.write(part, part.name)
    return archive


def test_zipped_shapefile_in_web_mercator_with_gbk_attributes(tmp_path):
    """Chinese GIS tools write Shapefiles in a projected system with GBK attributes; the .prj and .cpg say so."""
    geojson = _write(
        tmp_path,
        "src.geojson",
        _collection(
            [
                _feature(_box(X0, Y0), name="东林公园", kind="公园"),
                _feature(_box(X0 + 0.001, Y0), name="河滨绿地", kind="绿地"),
            ]
        ),
    )
    archive = _zipped_shapefile(tmp_path, geojson, "-t_srs", "EPSG:3857", "-lco", "ENCODING=GBK")
    report = import_base_layer("green", str(archive))
    assert report.ok and report.created == 2, report.as_text()
    park = GreenSpace.objects.get(name="东林公园")
    assert park.kind == "park" and GreenSpace.objects.get(name="河滨绿地").kind == "green"
    assert park.geometry.srid == 4326
    assert park.geometry.equals_exact(MultiPolygon(Polygon.from_bbox((X0, Y0, X0 + 0.0002, Y0 + 0.0002))), 1e-7)


def test_management_command_reports_rows_and_fails_on_a_bad_file(tmp_path, capsys):
    good = _write(
        tmp_path,
        "labels.geojson",
        _collection([_feature({"type": "Point", "coordinates": [X0, Y0]}, name="璧山区", kind="区")]),
    )
    call_command("import_base_layer", "labels", str(good))
    assert PlaceLabel.objects.get().kind == "district"
    bad = _write(
        tmp_path, "bad.geojson", _collection([_feature({"type": "Point", "coordinates": [X0, Y0]}, kind="社区")])
    )
    with pytest.raises(CommandError):
        call_command("import_base_layer", "labels", str(bad))
    assert "第 1 行，name" in capsys.readouterr().out
    assert PlaceLabel.objects.get().name == "璧山区"  # the bad file wrote nothing, nor replaced anything
    call_command("import_base_layer", "labels", str(good), "--append")
    assert PlaceLabel.objects.count() == 2


def test_admin_upload_of_a_layer_shows_the_numbered_report(client, personas, tmp_path):
    personas["admin"].is_staff = True
    personas["admin"].save()
    client.force_login(personas["admin"])
    assert "/admin/grids/road/import/" in client.get("/admin/grids/road/").content.decode()
    path = _write(
        tmp_path,
        "roads.geojson",
        _collection(
            [
                _feature(_line((X0, Y0), (X0 + 0.001, Y0)), name="璧泉路"),
                _feature(_line((X0, Y0), (X0, Y0 + 0.001)), name="文星路", **{"class": "支路"}),
            ]
        ),
    )
    with open(path, "rb") as upload:
        response = client.post("/admin/grids/road/import/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200 and "<td>1</td><td>class</td>" in body
    assert not Road.objects.exists()
    with open(path, "rb") as upload:
        response = client.post("/admin/grids/road/import/", {"file": upload, "skip_invalid": "on"})
    assert list(Road.objects.values_list("name", "road_class")) == [("文星路", "branch")]


# ---- Tiles -----------------------------------------------------------------------------------------------------


@pytest.fixture
def layers(city):
    """A small piece of city: a main road and a lane through the grids, a building, a park, a pond and labels."""
    lng, lat = centre(1, 0)
    Road.objects.create(
        name="璧泉路", road_class="arterial", geometry=MultiLineString(LineString((X0, lat), (X0 + 0.006, lat)))
    )
    Road.objects.create(
        name="东林一巷", road_class="lane", geometry=MultiLineString(LineString((lng, Y0), (lng, Y0 + 0.004)))
    )
    Building.objects.create(
        name="璧山中学",
        floors=6,
        geometry=MultiPolygon(Polygon.from_bbox((lng + 0.0002, lat + 0.0002, lng + 0.0004, lat + 0.0004))),
    )
    GreenSpace.objects.create(
        name="东林公园", kind="park", geometry=MultiPolygon(Polygon.from_bbox((X0, Y0 + 0.002, X0 + 0.002, Y0 + 0.004)))
    )
    Water.objects.create(
        name="秀湖", kind="lake", geometry=Polygon.from_bbox((X0 + 0.003, Y0 + 0.002, X0 + 0.004, Y0 + 0.003))
    )
    PlaceLabel.objects.create(name="东关社区", kind="community", geometry=Point(lng, lat))
    PlaceLabel.objects.create(name="璧山站", kind="landmark", geometry=Point(lng + 0.0001, lat))
    return lng, lat


def _tile(client, z: int, lng: float, lat: float) -> dict[str, list[dict]]:
    x, y = tile_of(lng, lat, z)
    response = client.get(f"/tiles/base/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"] == "private, max-age=300"
    return decode_tile(response.content)


def test_detailed_tile_has_every_layer_with_its_attributes(api_as, personas, layers):
    tile = _tile(api_as(personas["collector"]), 16, *layers)
    assert {f["properties"]["name"]: f["properties"]["class"] for f in tile["roads"]} == {
        "璧泉路": "arterial",
        "东林一巷": "lane",
    }
    assert [f["properties"] for f in tile["buildings"]] == [{"name": "璧山中学", "floors": 6}]
    assert tile["green"][0]["properties"] == {"name": "东林公园", "kind": "park"}
    assert tile["water"][0]["properties"] == {"name": "秀湖", "kind": "lake"}
    assert {f["properties"]["name"] for f in tile["labels"]} == {"东关社区", "璧山站"}
    assert {f["properties"]["code"] for f in tile["grids"]} >= {"500120001001002"}
    assert "东关旧网格" not in {f["properties"].get("name") for f in tile["grids"]}  # retired grids are not drawn
    assert {f["properties"]["name"] for f in tile["road_labels"]} == {"璧泉路", "东林一巷"}
    assert [f["type"] for f in tile["buildings"]] == [3]  # POLYGON
    assert {f["type"] for f in tile["roads"]} == {2}  # LINESTRING


def test_low_zoom_leaves_out_buildings_small_roads_and_landmarks(api_as, personas, layers):
    client = api_as(personas["collector"])
    tile = _tile(client, 13, *layers)
    assert "buildings" not in tile and "road_labels" not in tile
    assert [f["properties"]["name"] for f in tile["roads"]] == ["璧泉路"]  # lanes come from zoom 15
    assert [f["properties"]["name"] for f in tile["labels"]] == ["东关社区"]  # landmarks from zoom 15
    assert "buildings" in _tile(client, BUILDINGS_MIN_ZOOM, *layers)
    assert "buildings" not in _tile(client, BUILDINGS_MIN_ZOOM - 1, *layers)
    far = _tile(client, 10, *layers)
    assert [f["properties"]["name"] for f in far["roads"]] == ["璧泉路"] and "green" not in far and "grids" not in far


def test_empty_and_impossible_tiles(api_as, personas, layers):
    client = api_as(personas["collector"])
    empty = client.get("/tiles/base/17/0/0.pbf")
    assert empty.status_code == 200 and empty.content == b""
    assert client.get("/tiles/base/23/0/0.pbf").status_code == 400
    assert client.get("/tiles/base/3/8/0.pbf").status_code == 404


def test_base_tiles_need_a_login(api_client, client, personas, layers):
    x, y = tile_of(*layers, 16)
    assert api_client.get(f"/tiles/base/16/{x}/{y}.pbf").status_code == 401
    assert client.get(f"/tiles/base/16/{x}/{y}.pbf").status_code in (401, 403)
    client.force_login(personas["finance"])  # any signed-in role sees the city's base map
    assert client.get(f"/tiles/base/16/{x}/{y}.pbf").status_code == 200


# ---- The demo city -------------------------------------------------------------------------------------------


def test_demo_city_base_layers_are_seeded_once_with_named_roads(db):
    from grids.basemap.demo import seed_base_layers
    from grids.demo import NS_ROADS

    added = seed_base_layers(seed=1)
    assert added["roads"] > 100 and added["buildings"] > 3000 and added["water"] >= 2 and added["green"] >= 5
    classes = set(Road.objects.values_list("road_class", flat=True))
    assert classes == {"expressway", "arterial", "secondary", "branch", "lane"}
    assert Road.objects.filter(name__in=NS_ROADS, road_class="arterial").exists()
    assert Water.objects.filter(name="璧南河").exists() and GreenSpace.objects.filter(kind="park").count() >= 5
    assert (
        PlaceLabel.objects.filter(kind="community").count() == 27
        and PlaceLabel.objects.filter(kind="street").count() == 7
    )
    # Buildings stand off the river and the parks.
    assert not Building.objects.filter(geometry__intersects=Water.objects.get(name="璧南河").geometry).exists()
    assert seed_base_layers(seed=1) == dict.fromkeys(added, 0)


def test_base_tiles_are_kept_in_redis_until_the_base_map_changes(
    api_as, personas, layers, settings, tmp_path, django_capture_on_commit_callbacks
):
    from grids.basemap import tiles

    settings.TILE_CACHE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        tiles.changed()  # no tile cached by an earlier test or run
    client = api_as(personas["collector"])
    assert "璧泉路" in {f["properties"]["name"] for f in _tile(client, 16, *layers)["roads"]}
    Road.objects.filter(name="璧泉路").update(name="改名路")  # unseen by the cached tile
    assert "璧泉路" in {f["properties"]["name"] for f in _tile(client, 16, *layers)["roads"]}
    _lng, lat = layers
    path = _write(
        tmp_path,
        "roads.geojson",
        _collection(
            [_feature(_line((X0, lat + 0.0001), (X0 + 0.006, lat + 0.0001)), name="新修路", **{"class": "主干路"})]
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_base_layer("roads", str(path), append=True).written  # an import moves the version on
    assert {"改名路", "新修路"} <= {f["properties"]["name"] for f in _tile(client, 16, *layers)["roads"]}


def test_base_tiles_are_made_by_postgis_when_redis_is_down(api_as, personas, layers, settings):
    settings.TILE_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}  # discard port
    }
    assert "璧泉路" in {f["properties"]["name"] for f in _tile(api_as(personas["collector"]), 16, *layers)["roads"]}


def test_an_admin_edit_of_one_feature_shows_in_the_next_cached_tile(
    client, api_as, personas, layers, settings, django_capture_on_commit_callbacks
):
    from grids.basemap import tiles

    settings.TILE_CACHE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        tiles.changed()
    collector = api_as(personas["collector"])
    assert "璧泉路" in {f["properties"]["name"] for f in _tile(collector, 16, *layers)["roads"]}  # now in Redis
    road = Road.objects.get(name="璧泉路")
    with django_capture_on_commit_callbacks(execute=True):
        response = _rename_in_admin(client, personas["admin"], road, "改名路")
    assert response.status_code == 302, response.content.decode()[:2000]
    names = {f["properties"]["name"] for f in _tile(collector, 16, *layers)["roads"]}
    assert "改名路" in names and "璧泉路" not in names
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/grids/road/{road.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert "改名路" not in {f["properties"]["name"] for f in _tile(collector, 16, *layers)["roads"]}


def _rename_in_admin(client, admin_user, road, name):
    """POST the road's admin change form with every field as shown and a new name."""
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    change = client.get(f"/admin/grids/road/{road.pk}/change/")
    assert change.status_code == 200
    form = change.context["adminform"].form
    data = {field: form[field].value() for field in form.fields if form[field].value() is not None}
    data.update(name=name, geometry=road.geometry.geojson)
    return client.post(f"/admin/grids/road/{road.pk}/change/", data)


def test_an_admin_edit_of_one_feature_is_saved_and_drawn_with_redis_down(
    client, api_as, personas, layers, settings, django_capture_on_commit_callbacks
):
    settings.TILE_CACHE_SECONDS = 60
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.TolerantRedisCache", "LOCATION": "redis://127.0.0.1:9/0"}  # discard port
    }
    road = Road.objects.get(name="璧泉路")
    with django_capture_on_commit_callbacks(execute=True):  # the version bump after the commit meets no Redis
        response = _rename_in_admin(client, personas["admin"], road, "改名路")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Road.objects.get(pk=road.pk).name == "改名路"
    names = {f["properties"]["name"] for f in _tile(api_as(personas["collector"]), 16, *layers)["roads"]}
    assert "改名路" in names and "璧泉路" not in names
