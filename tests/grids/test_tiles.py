"""Component vector tiles: decoded with a minimal protobuf reader (the MVT 2.1 fields we use), no extra package."""

from __future__ import annotations

import math

import pytest

from .conftest import centre

pytestmark = pytest.mark.django_db


# ---- a minimal Mapbox Vector Tile reader (vector_tile.proto: Tile.layers=3; Layer name=1 features=2 keys=3
# values=4 extent=5 version=15; Feature id=1 tags=2 type=3 geometry=4; Value string=1 float=2 double=3 int=4
# uint=5 sint=6 bool=7) ---------------------------------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes):
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, value


def _packed(buf: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(buf):
        value, pos = _varint(buf, pos)
        out.append(value)
    return out


def _value(buf: bytes):
    for number, value in _fields(buf):
        if number == 1:
            return value.decode()
        if number in (4, 5):
            return value
        if number == 6:
            return (value >> 1) ^ -(value & 1)
        if number == 7:
            return bool(value)
    return None


def decode_tile(data: bytes) -> dict[str, list[dict]]:
    layers = {}
    for number, layer_buf in _fields(data):
        if number != 3:
            continue
        name, keys, values, raw_features = "", [], [], []
        for n, v in _fields(layer_buf):
            if n == 1:
                name = v.decode()
            elif n == 2:
                raw_features.append(v)
            elif n == 3:
                keys.append(v.decode())
            elif n == 4:
                values.append(_value(v))
        features = []
        for raw in raw_features:
            feature = {"id": None, "properties": {}, "geometry": []}
            for n, v in _fields(raw):
                if n == 1:
                    feature["id"] = v
                elif n == 2:
                    tags = _packed(v)
                    feature["properties"] = {keys[k]: values[i] for k, i in zip(tags[::2], tags[1::2], strict=True)}
                elif n == 3:
                    feature["type"] = v
                elif n == 4:
                    feature["geometry"] = _packed(v)
            features.append(feature)
        layers[name] = features
    return layers


def tile_of(lng: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lng + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def components(city, make_component):
    return [
        make_component(*centre(0, 0), "0101", "intact"),
        make_component(*centre(1, 0), "0102", "damaged"),
        make_component(*centre(2, 0), "0101", "lost"),
    ]


def test_tile_has_each_component_with_its_attributes(api_as, personas, components):
    x, y = tile_of(*centre(1, 0), 17)
    response = api_as(personas["collector"]).get(f"/tiles/components/17/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert "max-age" in response["Cache-Control"]
    features = decode_tile(response.content)["components"]
    by_id = {f["id"]: f for f in features}
    middle = components[1]
    assert middle.id in by_id
    assert by_id[middle.id]["type"] == 1  # POINT
    assert by_id[middle.id]["properties"] == {
        "identifier": middle.identifier,
        "class_code": "0102",
        "class_name": "污水井盖",
        "status": "damaged",
    }
    command, px, py = by_id[middle.id]["geometry"][:3]
    assert command == 9  # MoveTo, one point
    assert 0 <= (px >> 1) ^ -(px & 1) <= 4096 and 0 <= (py >> 1) ^ -(py & 1) <= 4096


def ids_in_tiles(client, z: int, points, query: str = "") -> set[int]:
    ids = set()
    for x, y in {tile_of(*point, z) for point in points}:
        response = client.get(f"/tiles/components/{z}/{x}/{y}.pbf{query}")
        assert response.status_code == 200
        ids |= {f["id"] for f in decode_tile(response.content).get("components", [])}
    return ids


def test_filters_by_class_and_status(api_as, personas, components):
    client = api_as(personas["collector"])
    points = [centre(0, 0), centre(1, 0), centre(2, 0)]
    assert ids_in_tiles(client, 16, points) == {c.id for c in components}
    assert ids_in_tiles(client, 16, points, "?class_code=0101") == {components[0].id, components[2].id}
    assert ids_in_tiles(client, 16, points, "?status=damaged,lost") == {components[1].id, components[2].id}
    assert client.get("/tiles/components/16/0/0.pbf?status=broken").status_code == 400


def test_low_zoom_tiles_cluster_points_with_counts(api_as, personas, components, make_component):
    for _ in range(4):
        make_component(*centre(0, 0))  # same place: one cluster of five
    x, y = tile_of(*centre(1, 0), 14)
    features = decode_tile(api_as(personas["collector"]).get(f"/tiles/components/14/{x}/{y}.pbf").content)["components"]
    counts = sorted(f["properties"]["point_count"] for f in features)
    assert sum(counts) == 7 and counts[-1] == 5


def test_empty_tile_is_200_with_no_body(api_as, personas, components):
    response = api_as(personas["collector"]).get("/tiles/components/17/0/0.pbf")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(("path", "status"), [("23/0/0", 400), ("3/8/0", 404), ("3/0/8", 404)])
def test_impossible_tiles(api_as, personas, path, status):
    assert api_as(personas["collector"]).get(f"/tiles/components/{path}.pbf").status_code == status


def test_tiles_need_a_login(api_client, client, personas):
    assert api_client.get("/tiles/components/17/0/0.pbf").status_code == 401
    client.force_login(personas["handler"])
    assert client.get("/tiles/components/17/0/0.pbf").status_code == 200
