"""Vocabularies of the base-map layer, with their Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClassKind(models.TextChoices):
    COMPONENT = "component", _("Component")  # 部件
    EVENT = "event", _("Event")  # 事件 (事项 in GB/T 47678.5-2026)


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District / county")  # 区县, 6 digits
    STREET = "street", _("Street / town")  # 街道/乡镇, 9 digits
    COMMUNITY = "community", _("Community / village")  # 社区/村, 12 digits


REGION_CODE_LENGTH = {RegionLevel.DISTRICT: 6, RegionLevel.STREET: 9, RegionLevel.COMMUNITY: 12}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")  # 紧急


class ComponentStatus(models.TextChoices):
    INTACT = "intact", _("Intact")  # 完好
    DAMAGED = "damaged", _("Damaged")  # 破损
    LOST = "lost", _("Lost")  # 丢失
    ABANDONED = "abandoned", _("Abandoned")  # 废弃
    REMOVED = "removed", _("Removed")  # 移除
    OCCUPIED = "occupied", _("Occupied")  # 占用 (older data)


class DataSource(models.TextChoices):
    SURVEYED = "surveyed", _("Field survey")  # 实测
    TOPOGRAPHIC = "topographic", _("Topographic map")  # 地形图
    GEODATA = "geodata", _("Basic geographic data")  # 基础地理数据
    OTHER = "other", _("Other")  # 其他


# Labels of the surveyed attributes a component keeps in ``extra`` under English keys (the demo's and the usual
# inventory exports'); a key not listed here is shown as it was surveyed.
COMPONENT_ATTRIBUTE_LABELS = {
    "species": _("Tree species"),  # 树种
    "material": _("Material"),  # 材质
    "spec": _("Specification"),  # 规格
    "height_m": _("Height (m)"),  # 高度（米）
    "light_source": _("Light source"),  # 光源
    "title": _("Title"),  # 名称/题名
}
