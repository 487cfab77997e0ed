"""Vocabularies of the base layers (底图图层), with their Chinese labels and the aliases survey files use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadClass(models.TextChoices):
    """CJJ 37 城市道路等级, plus the lanes (街巷) a city-management survey also maps."""

    EXPRESSWAY = "expressway", _("Expressway")  # 快速路
    ARTERIAL = "arterial", _("Arterial road")  # 主干路
    SECONDARY = "secondary", _("Secondary road")  # 次干路
    BRANCH = "branch", _("Branch road")  # 支路
    LANE = "lane", _("Lane")  # 街巷


class WaterKind(models.TextChoices):
    RIVER = "river", _("River")  # 河流
    LAKE = "lake", _("Lake")  # 湖泊
    POND = "pond", _("Pond")  # 坑塘
    CANAL = "canal", _("Canal")  # 沟渠


class GreenKind(models.TextChoices):
    PARK = "park", _("Park")  # 公园
    GREEN = "green", _("Green space")  # 绿地
    SQUARE = "square", _("Square")  # 广场


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("District / county")  # 区县
    STREET = "street", _("Street / town")  # 街道/乡镇
    COMMUNITY = "community", _("Community / village")  # 社区/村
    LANDMARK = "landmark", _("Landmark")  # 地标: schools, hospitals, squares, bridges


# What survey files write in the class/kind column, besides our own values (lower-cased before the look-up).
ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    RoadClass: {
        "快速路": "expressway",
        "快速干道": "expressway",
        "主干路": "arterial",
        "主干道": "arterial",
        "次干路": "secondary",
        "次干道": "secondary",
        "支路": "branch",
        "街巷": "lane",
        "小巷": "lane",
        "巷道": "lane",
        "motorway": "expressway",
        "trunk": "expressway",
        "primary": "arterial",
        "tertiary": "branch",
        "residential": "lane",
    },
    WaterKind: {
        "河流": "river",
        "河": "river",
        "湖泊": "lake",
        "湖": "lake",
        "水库": "lake",
        "坑塘": "pond",
        "池塘": "pond",
        "沟渠": "canal",
        "渠": "canal",
    },
    GreenKind: {"公园": "park", "绿地": "green", "广场": "square", "游园": "park"},
    PlaceKind: {
        "区": "district",
        "区县": "district",
        "街道": "street",
        "乡镇": "street",
        "镇": "street",
        "社区": "community",
        "村": "community",
        "地标": "landmark",
        "兴趣点": "landmark",
        "poi": "landmark",
    },
}


def parse_choice(choices: type[models.TextChoices], value: str) -> str | None:
    """Our value for what a file wrote (value, Chinese label or alias), or None when unknown."""
    text = value.strip().lower()
    if text in choices.values:
        return text
    for choice in choices:
        if str(choice.label).lower() == text:
            return choice.value
    return ALIASES.get(choices, {}).get(text)
