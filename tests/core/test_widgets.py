"""``PlainSelect`` writes what Django's template-rendered ``Select`` writes (compared as parsed HTML)."""

from django import forms
from django.test.html import parse_html

from core.widgets import PlainSelect

CHOICES = [
    ("", "全部类别"),
    ("x", "typed <b>&</b>"),
    ("城市部件 01 公用设施", [("0101", "0101 上水井盖"), ("0102", '0102 "污水" 井盖')]),
    ("事件 06 市容环境", [("06010", "06010 暴露垃圾")]),
]


def _both(value, attrs=None):
    django = forms.Select(choices=CHOICES, attrs={"data-class-picker": ""}).render("class_code", value, attrs)
    plain = PlainSelect(choices=CHOICES, attrs={"data-class-picker": ""}).render("class_code", value, attrs)
    return parse_html(django), parse_html(plain), plain


def test_the_same_markup_as_djangos_select():
    for value in ("", "0102", "06010", "x", None, "absent"):
        django, plain, _html = _both(value, {"id": "id_class_code"})
        assert plain == django, value


def test_labels_and_values_are_escaped():
    _django, _plain, html = _both("x")
    assert "<b>" not in html and "&lt;b&gt;" in html and "&quot;污水&quot;" in html
    assert '<option value="x" selected>' in html
