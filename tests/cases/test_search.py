"""The lists' free-text search ``q``: the same answers for one, two and more characters, whichever index serves."""

from __future__ import annotations

import pytest

from cases.filtersets import CaseFilterSet
from cases.models import Case

pytestmark = pytest.mark.django_db

TEXTS = [
    ("路边暴露垃圾，影响市容", "东关路12号"),
    ("井盖缺失", "南门社区 Lane 7"),
    ("乱堆物料 ab", "璧泉路88号"),
    ("Street lamp broken", "青杠大道"),
]


@pytest.mark.parametrize(
    "term", ["垃", "垃圾", "路", "12", "7", "ab", "AB", "La", "缺失", "乌龟", "暴露垃圾", "lamp", "号"]
)
def test_every_length_finds_what_contains_it(new_case, term):
    made = [new_case(description=d, address=a) for d, a in TEXTS]

    # One or two characters: description and address (every case number holds most digits); longer: the number too.
    def searched(case) -> str:
        text = f"{case.description} {case.address}"
        return (text if len(term) <= 2 else f"{case.case_no} {text}").lower()

    expected = {c.pk for c in made if term.lower() in searched(c)}
    found = set(CaseFilterSet({"q": term}, queryset=Case.objects.all()).qs.values_list("pk", flat=True))
    assert found == expected


def test_the_short_terms_are_kept_by_the_database(new_case):
    case = new_case(description="井盖缺失", address="")
    terms = str(Case.objects.values_list("short_grams", flat=True).get(pk=case.pk))
    assert "'井盖'" in terms and "'缺'" in terms and "'盖缺'" in terms
    Case.objects.filter(pk=case.pk).update(description="路灯不亮")
    assert "'路灯'" in str(Case.objects.values_list("short_grams", flat=True).get(pk=case.pk))


@pytest.mark.parametrize(
    "description, address, terms",
    [
        ("井盖 缺失\t\n路灯", "A1", "井 盖 井盖 缺 失 缺失 路 灯 路灯 a 1 a1"),
        ("  两头空格  ", "", "两 头 空 格 两头 头空 空格"),
        ("", "", ""),
        (None, "X", "x"),
        ("重复重复", None, "重 复 重复 复重"),
    ],
)
def test_the_short_terms_are_every_character_and_pair_of_each_word(description, address, terms):
    """Whitespace separates words and is no term; pairs never span it; Latin letters lower-cased (migration 0017
    computes them word by word: the same terms as migration 0005's character-by-character version)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_short_grams(%s, %s)::text", [description, address])
        stored = cursor.fetchone()[0]
    assert set(stored.replace("'", "").split()) == set(terms.split())
