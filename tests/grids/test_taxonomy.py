"""The national taxonomy: catalogues, default filing conditions, mapping, departments, API and admin."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q

from core.choices import TimeUnit
from grids.choices import ClassKind, Urgency
from grids.models import ClassificationStandard, ClassMapping, FilingCondition, MajorClass, MinorClass
from grids.taxonomy import (
    CATALOGUES,
    CJT_2007,
    GBT_2026,
    Catalogue,
    CatalogueError,
    assign_default_departments,
    invalidate_taxonomy_cache,
    limit_label,
    load_taxonomy,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/taxonomy/"


@pytest.fixture(autouse=True)
def _fresh_taxonomy_cache():
    # Rolled-back test transactions do not bump the cache version: start every test from a new one.
    invalidate_taxonomy_cache()
    yield
    invalidate_taxonomy_cache()


def csv_rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def minor(standard: str, kind: str, code: str) -> MinorClass:
    return MinorClass.objects.get(standard__code=standard, kind=kind, code=code)


# ---- Catalogues -------------------------------------------------------------------------------------------------


def test_the_2026_catalogue_is_loaded_with_migrate():
    classes = MinorClass.objects.filter(standard__code=GBT_2026)
    assert classes.filter(kind=ClassKind.EVENT).count() == 250  # 事项, "matter" in the CSV
    assert classes.filter(kind=ClassKind.COMPONENT).count() == 153
    assert MajorClass.objects.filter(standard__code=GBT_2026, kind=ClassKind.COMPONENT).count() == 5
    assert MajorClass.objects.filter(standard__code=GBT_2026, kind=ClassKind.EVENT).count() == 10
    assert ClassificationStandard.objects.get(is_default=True).code == GBT_2026
    assert minor(GBT_2026, ClassKind.EVENT, "06010").name == "暴露垃圾"
    assert minor(GBT_2026, ClassKind.EVENT, "06010").major.name == "市容环境类"


def test_the_2007_catalogue_counts_match_its_csv():
    rows = csv_rows(CATALOGUES[1].path)
    loaded = MinorClass.objects.filter(standard__code=CJT_2007)
    assert loaded.filter(kind=ClassKind.COMPONENT).count() == sum(r["kind"] == "component" for r in rows) == 82
    assert loaded.filter(kind=ClassKind.EVENT).count() == sum(r["kind"] == "event" for r in rows) == 45
    assert set(
        MajorClass.objects.filter(standard__code=CJT_2007, kind=ClassKind.EVENT).values_list("name", flat=True)
    ) == {
        "市容环境",
        "宣传广告",
        "施工管理",
        "突发事件",
        "街面秩序",
    }
    assert not ClassificationStandard.objects.get(code=CJT_2007).is_default


def test_the_fixtures_are_the_shared_code_lists():
    assert len(csv_rows(CATALOGUES[0].path)) == 403
    for catalogue in CATALOGUES:
        assert catalogue.path.parent.name == "fixtures"


# ---- Default filing conditions ----------------------------------------------------------------------------------


def test_every_minor_class_has_an_active_condition_with_a_positive_limit():
    bare = MinorClass.objects.exclude(conditions__is_active=True, conditions__limit_value__gt=0)
    assert list(bare.values_list("standard__code", "code", "name")) == []
    assert not FilingCondition.objects.filter(limit_value__lte=0).exists()
    assert set(FilingCondition.objects.values_list("limit_unit", flat=True)) <= set(TimeUnit.values)


def test_a_lost_manhole_cover_is_urgent_and_counted_in_natural_hours():
    for standard, kind, code in [
        (GBT_2026, ClassKind.EVENT, "01002"),  # 污水井盖异常
        (GBT_2026, ClassKind.COMPONENT, "01002"),  # 污水井盖
        (CJT_2007, ClassKind.COMPONENT, "0102"),  # 污水井盖
    ]:
        lost = minor(standard, kind, code).conditions.get(description__contains="丢失")
        assert lost.urgency == Urgency.URGENT
        assert lost.limit_unit == TimeUnit.NATURAL_HOURS
        assert lost.limit_value == 2


@pytest.mark.parametrize("code", ["0401", "0402", "0403"])  # 路面塌陷, 自来水管破裂, 燃气管道破裂
def test_urgent_2007_events_run_in_natural_time(code):
    first = minor(CJT_2007, ClassKind.EVENT, code).conditions.order_by("code").first()
    assert first.urgency == Urgency.URGENT
    assert first.limit_unit in (TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES)
    assert Decimal("0.5") <= first.limit_value <= 2 or first.limit_unit == TimeUnit.NATURAL_MINUTES


def test_the_limits_of_domain_examples():
    def limits(code: str, standard: str = GBT_2026) -> list[tuple[Decimal, str]]:
        conditions = minor(standard, ClassKind.EVENT, code).conditions.order_by("code")
        return [(c.limit_value, c.limit_unit) for c in conditions]

    assert limits("06001") == [(4, TimeUnit.WORK_HOURS), (7, TimeUnit.WORK_DAYS), (20, TimeUnit.WORK_DAYS)]  # 私搭乱建
    assert limits("0101", CJT_2007) == limits("06001")
    assert (4, TimeUnit.WORK_HOURS) in limits("06010")  # 暴露垃圾 成堆成片
    heap = minor(GBT_2026, ClassKind.EVENT, "06010").conditions.get(description__contains="成堆成片")
    assert limit_label(heap.limit_value, heap.limit_unit) == "4工作时"
    assert limits("06012") == [(2, TimeUnit.WORK_HOURS)]  # 道路不洁
    row_of_lamps = minor(GBT_2026, ClassKind.EVENT, "01037").conditions.get(description__contains="连续3盏")
    assert (row_of_lamps.limit_value, row_of_lamps.limit_unit) == (1, TimeUnit.WORK_DAYS)


def test_every_construction_class_carries_15_to_20_working_days():
    construction = MinorClass.objects.filter(kind=ClassKind.EVENT, major__name__contains="施工")
    assert construction.count() == 16 + 6
    for cls in construction:
        engineering = cls.conditions.filter(limit_unit=TimeUnit.WORK_DAYS, limit_value__gte=15)
        assert engineering.exists(), cls
        assert all(c.limit_value <= 20 for c in engineering)


def test_urgent_conditions_are_short_and_ordinary_ones_are_not_in_natural_time():
    urgent = FilingCondition.objects.filter(urgency=Urgency.URGENT)
    assert urgent.count() > 100
    assert not urgent.exclude(limit_unit__in=[TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES]).exists()
    assert not urgent.filter(limit_unit=TimeUnit.NATURAL_HOURS, limit_value__gt=2).exists()
    assert not FilingCondition.objects.filter(urgency=Urgency.NORMAL, limit_unit=TimeUnit.NATURAL_HOURS).exists()


@pytest.mark.parametrize(
    ("value", "unit", "label"),
    [
        (Decimal("4.00"), TimeUnit.WORK_HOURS, "4工作时"),
        (Decimal("20"), TimeUnit.WORK_DAYS, "20工作日"),
        (Decimal("0.50"), TimeUnit.NATURAL_HOURS, "0.5小时"),
        (30, TimeUnit.NATURAL_MINUTES, "30分钟"),
        (Decimal("1.50"), TimeUnit.WORK_MINUTES, "1.5工作分钟"),
    ],
)
def test_limit_labels(value, unit, label):
    assert limit_label(value, unit) == label


# ---- Mapping between standards ----------------------------------------------------------------------------------


def test_exposed_garbage_maps_from_0102_to_06010():
    source = minor(CJT_2007, ClassKind.EVENT, "0102")
    assert source.name == "暴露垃圾"
    targets = [(m.target.standard.code, m.target.code) for m in source.mappings_out.select_related("target__standard")]
    assert targets == [(GBT_2026, "06010")]
    assert minor(GBT_2026, ClassKind.EVENT, "06010").mappings_in.get().source == source


def test_differently_named_pairs_come_from_the_curated_table():
    def targets(kind: str, code: str) -> set[str]:
        return set(minor(CJT_2007, kind, code).mappings_out.values_list("target__code", flat=True))

    assert targets(ClassKind.COMPONENT, "0101") == {"01001"}  # 上水井盖 → 供水井盖 (component and its 异常 matter)
    assert targets(ClassKind.EVENT, "0109") == {"06019"}  # 非装饰性树挂 → 非装饰性吊挂
    assert targets(ClassKind.COMPONENT, "0129") == {"01021"}  # 输油(气)井盖 ↔ 输油（气）井盖: full-width folded
    assert targets(ClassKind.EVENT, "0407") == {"10001"}  # 道路积雪结冰 ↔ 道路积雪、结冰
    lost_cover = minor(CJT_2007, ClassKind.COMPONENT, "0102").mappings_out.values_list("target__kind", "target__code")
    assert set(lost_cover) == {(ClassKind.COMPONENT, "01002"), (ClassKind.EVENT, "01002")}
    assert not ClassMapping.objects.filter(source__standard__code=GBT_2026).exists()


# ---- Idempotent loading -----------------------------------------------------------------------------------------


def test_loading_twice_adds_nothing_and_keeps_edits():
    heap = minor(GBT_2026, ClassKind.EVENT, "06010").conditions.get(code="01")
    heap.limit_value, heap.limit_unit, heap.description = Decimal(6), TimeUnit.WORK_HOURS, "成堆垃圾（本市标准）"
    heap.save()
    renamed = minor(GBT_2026, ClassKind.EVENT, "06012")
    renamed.name = "道路不洁（含人行道）"
    renamed.save()
    counts = (MinorClass.objects.count(), FilingCondition.objects.count(), ClassMapping.objects.count())

    assert load_taxonomy() == dict.fromkeys(
        ["standards", "major_classes", "minor_classes", "conditions", "mappings"], 0
    )

    assert (MinorClass.objects.count(), FilingCondition.objects.count(), ClassMapping.objects.count()) == counts
    heap.refresh_from_db()
    assert (heap.limit_value, heap.description) == (6, "成堆垃圾（本市标准）")
    renamed.refresh_from_db()
    assert renamed.name == "道路不洁（含人行道）"


def test_loading_adds_what_is_missing():
    minor(GBT_2026, ClassKind.EVENT, "06010").delete()  # with its conditions and its mapping
    ClassMapping.objects.filter(source__code="0104", source__kind=ClassKind.EVENT).delete()

    added = load_taxonomy()

    assert added["minor_classes"] == 1
    assert added["conditions"] == 2  # 成堆成片 + 零星
    assert added["mappings"] == 2
    assert minor(GBT_2026, ClassKind.EVENT, "06010").mappings_in.get().source.code == "0102"


def test_the_command_prints_what_it_added(capsys):
    call_command("load_taxonomy")
    assert "0 minor classes" in capsys.readouterr().out


def test_a_local_extension_is_loaded_with_default_conditions(tmp_path, capsys):
    local = tmp_path / "local.csv"
    local.write_text(
        "kind,major_code,major_name,code,name\nevent,90,本地扩展,90001,占道晾晒农作物\n"
        "component,90,本地扩展部件,90001,智能垃圾箱\n",
        encoding="utf-8",
    )
    call_command("load_taxonomy", file=local, standard="bishan-local", name="璧山区扩展")
    assert "2 minor classes" in capsys.readouterr().out
    standard = ClassificationStandard.objects.get(code="bishan-local")
    assert standard.is_local and not standard.is_default
    bin_class = minor("bishan-local", ClassKind.COMPONENT, "90001")
    assert bin_class.conditions.filter(description__contains="满溢").exists()  # the 垃圾箱 rule applies
    assert minor("bishan-local", ClassKind.EVENT, "90001").conditions.exists()


def test_a_bad_catalogue_is_reported_by_row_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,major_code,major_name,code,name\nevent,90,本地,90001,好的一行\nthing,90,本地,91001,\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as error:
        load_taxonomy([*CATALOGUES, Catalogue("bad-local", "bad", bad, is_local=True)])
    message = str(error.value)
    assert "bad.csv row 3" in message and "kind 'thing'" in message and "start with major_code" in message
    assert not ClassificationStandard.objects.filter(code="bad-local").exists()
    assert not MinorClass.objects.filter(code="90001").exists()


def test_a_catalogue_in_gbk_with_chinese_headers_is_read_through_the_spreadsheet_kit(tmp_path):
    from grids.taxonomy import read_catalogue

    local = tmp_path / "本地.csv"
    local.write_text(
        "大类代码,大类名称,小类代码,小类名称,类型\n90,本地扩展,90001,占道晾晒农作物,event\n", encoding="gbk"
    )
    [row] = read_catalogue(local)
    assert (row.kind, row.major_code, row.major_name, row.code, row.name) == (
        ClassKind.EVENT,
        "90",
        "本地扩展",
        "90001",
        "占道晾晒农作物",
    )
    local.write_text("大类代码,小类代码,小类名称\n90,90001,占道\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="missing columns kind, major_name"):
        read_catalogue(local)


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_catalogue_back():
    call_command("flush", interactive=False, verbosity=0)  # what every transactional test's teardown does
    assert MinorClass.objects.filter(standard__code=GBT_2026).count() == 403
    assert FilingCondition.objects.exists() and ClassMapping.objects.exists()


# ---- Default departments ----------------------------------------------------------------------------------------


@pytest.fixture
def city_departments(db):
    from core.demo import DEPARTMENTS
    from core.models import Department

    return {
        code: Department.objects.create(code=code, name=name, kind=kind)
        for code, name, kind, parent in DEPARTMENTS
        if parent is None
    }


def test_assign_default_departments_follows_the_rule_table(city_departments):
    assigned = assign_default_departments(city_departments)

    assert assigned == FilingCondition.objects.count()
    assert not FilingCondition.objects.filter(default_department__isnull=True).exists()

    def department_of(standard: str, kind: str, code: str) -> str:
        return minor(standard, kind, code).conditions.first().default_department.code

    assert department_of(GBT_2026, ClassKind.EVENT, "06010") == "sanitation"  # 暴露垃圾
    assert department_of(CJT_2007, ClassKind.EVENT, "0101") == "enforcement"  # 私搭乱建
    assert department_of(GBT_2026, ClassKind.EVENT, "01037") == "lighting"  # 路灯异常
    assert department_of(GBT_2026, ClassKind.COMPONENT, "01002") == "drainage"  # 污水井盖
    assert department_of(GBT_2026, ClassKind.EVENT, "01011") == "gas"  # 燃气井盖异常
    assert department_of(GBT_2026, ClassKind.EVENT, "09010") == "enforcement"  # 非机动车乱停放, not traffic police
    assert department_of(GBT_2026, ClassKind.EVENT, "08004") == "construction"  # 工地扬尘


def test_assignment_keeps_an_administrators_choice_and_falls_back_when_a_department_is_missing(city_departments):
    heap = minor(GBT_2026, ClassKind.EVENT, "06010").conditions.get(code="01")
    heap.default_department = city_departments["st-bicheng"]
    heap.save()
    without_gas = {code: d for code, d in city_departments.items() if code != "gas"}

    assign_default_departments(without_gas)

    heap.refresh_from_db()
    assert heap.default_department.code == "st-bicheng"
    gas_cover = minor(GBT_2026, ClassKind.COMPONENT, "01011").conditions.first()
    assert gas_cover.default_department.code == "municipal"  # the next rule that matches a department the city has
    assert assign_default_departments(city_departments) == 0  # nothing left without a department


# ---- API ----------------------------------------------------------------------------------------------------------


def test_the_api_lists_event_classes_with_their_conditions(api_as, personas):
    body = api_as(personas["collector"]).get(API, {"kind": "event"}).json()

    assert body["standard"]["code"] == GBT_2026 and body["standard"]["is_default"]
    assert body["kind"] == "event"
    assert [m["code"] for m in body["majors"]] == [f"{n:02d}" for n in range(1, 11)]
    environment = next(m for m in body["majors"] if m["code"] == "06")
    assert environment["name"] == "市容环境类" and len(environment["minor_classes"]) == 51
    garbage = next(c for c in environment["minor_classes"] if c["code"] == "06010")
    assert garbage["name"] == "暴露垃圾" and garbage["kind"] == "event"
    heap = garbage["conditions"][0]
    assert set(heap) == {
        "id",
        "code",
        "description",
        "limit_value",
        "limit_unit",
        "limit_unit_label",
        "limit_label",
        "closing_condition",
        "urgency",
        "urgency_label",
        "default_department",
    }
    assert (heap["limit_value"], heap["limit_unit"], heap["limit_label"]) == (4, "work_hours", "4工作时")
    assert heap["urgency"] == "normal" and heap["closing_condition"]
    assert sum(len(m["minor_classes"]) for m in body["majors"]) == 250


def test_the_api_filters_by_kind_standard_and_text(api_as, personas):
    client = api_as(personas["handler"])
    components = client.get(API, {"kind": "component"}).json()
    assert {m["kind"] for m in components["majors"]} == {"component"}
    assert sum(len(m["minor_classes"]) for m in components["majors"]) == 153

    legacy = client.get(API, {"kind": "event", "standard": CJT_2007}).json()
    assert legacy["standard"]["code"] == CJT_2007
    assert sum(len(m["minor_classes"]) for m in legacy["majors"]) == 45

    found = client.get(API, {"kind": "event", "q": "井盖"}).json()
    names = [c["name"] for m in found["majors"] for c in m["minor_classes"]]
    assert names and all("井盖" in n for n in names)

    both = client.get(API).json()
    assert {m["kind"] for m in both["majors"]} == {"component", "event"} and both["kind"] is None


def test_the_api_leaves_out_inactive_classes_and_conditions(api_as, personas):
    minor(GBT_2026, ClassKind.EVENT, "06012").__class__.objects.filter(
        standard__code=GBT_2026, kind=ClassKind.EVENT, code="06012"
    ).update(is_active=False)
    minor(GBT_2026, ClassKind.EVENT, "06010").conditions.filter(code="02").update(is_active=False)
    invalidate_taxonomy_cache()  # queryset.update() sends no signal

    body = api_as(personas["collector"]).get(API, {"kind": "event", "q": "06"}).json()
    classes = {c["code"]: c for m in body["majors"] for c in m["minor_classes"]}
    assert "06012" not in classes
    assert [c["code"] for c in classes["06010"]["conditions"]] == ["01"]


@pytest.mark.parametrize(("params", "field"), [({"kind": "parts"}, "kind"), ({"standard": "gbt-1999"}, "standard")])
def test_bad_parameters_are_a_400_naming_the_field(api_as, personas, params, field):
    response = api_as(personas["collector"]).get(API, params)
    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_users_are_refused(api_client):
    assert api_client.get(API, {"kind": "event"}).status_code == 401


def test_the_answer_is_cached_and_an_edit_refreshes_it(api_as, personas, django_assert_max_num_queries):
    client = api_as(personas["collector"])
    with django_assert_max_num_queries(5):  # token, standard, classes, conditions
        first = client.get(API, {"kind": "event"}).json()
    with django_assert_max_num_queries(1):  # the token only: the answer comes from Redis
        assert client.get(API, {"kind": "event"}).json() == first

    heap = minor(GBT_2026, ClassKind.EVENT, "06010").conditions.get(code="01")
    heap.limit_value = Decimal(3)
    heap.save()  # as the admin does: the post_save signal drops the cached answers

    body = client.get(API, {"kind": "event"}).json()
    garbage = next(c for m in body["majors"] for c in m["minor_classes"] if c["code"] == "06010")
    assert garbage["conditions"][0]["limit_label"] == "3工作时"


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][API]["get"]
    kind = next(p for p in operation["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["component", "event"]
    assert "Taxonomy" in operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


# ---- Admin ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["classificationstandard", "majorclass", "minorclass", "classmapping", "filingcondition"]
)
def test_admin_changelists_load(client, personas, model):
    client.force_login(personas["admin"])
    response = client.get(f"/admin/grids/{model}/", {"q": "垃圾"} if model != "classificationstandard" else {})
    assert response.status_code == 200


def test_admin_edits_conditions_inline_under_a_minor_class(client, personas, department):
    client.force_login(personas["admin"])
    garbage = minor(GBT_2026, ClassKind.EVENT, "06010")
    page = client.get(f"/admin/grids/minorclass/{garbage.pk}/change/")
    assert page.status_code == 200
    assert "成堆成片生活垃圾" in page.content.decode()

    conditions = list(garbage.conditions.order_by("code"))
    form = {
        "standard": garbage.standard_id,
        "major": garbage.major_id,
        "kind": garbage.kind,
        "code": garbage.code,
        "name": garbage.name,
        "is_active": "on",
        "conditions-TOTAL_FORMS": len(conditions),
        "conditions-INITIAL_FORMS": len(conditions),
        "conditions-MIN_NUM_FORMS": 0,
        "conditions-MAX_NUM_FORMS": 1000,
    }
    for i, cond in enumerate(conditions):
        form |= {
            f"conditions-{i}-id": cond.pk,
            f"conditions-{i}-minor_class": garbage.pk,
            f"conditions-{i}-code": cond.code,
            f"conditions-{i}-description": cond.description,
            f"conditions-{i}-limit_value": "5" if i == 0 else cond.limit_value,
            f"conditions-{i}-limit_unit": cond.limit_unit,
            f"conditions-{i}-closing_condition": cond.closing_condition,
            f"conditions-{i}-urgency": cond.urgency,
            f"conditions-{i}-default_department": department.pk if i == 0 else "",
            f"conditions-{i}-is_active": "on",
        }
    response = client.post(f"/admin/grids/minorclass/{garbage.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    conditions[0].refresh_from_db()
    assert (conditions[0].limit_value, conditions[0].default_department) == (5, department)


def test_admin_department_autocomplete_for_conditions(client, personas, department):
    client.force_login(personas["admin"])
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "grids", "model_name": "filingcondition", "field_name": "default_department", "term": "环卫"},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(department.pk)]


def test_a_second_default_standard_is_refused_in_the_admin(client, personas):
    client.force_login(personas["admin"])
    legacy = ClassificationStandard.objects.get(code=CJT_2007)
    response = client.post(
        f"/admin/grids/classificationstandard/{legacy.pk}/change/",
        {"code": legacy.code, "name": legacy.name, "is_default": "on"},
    )
    assert response.status_code == 200  # the form comes back with the error
    legacy.refresh_from_db()
    assert not legacy.is_default
    assert ClassificationStandard.objects.filter(Q(is_default=True)).count() == 1
