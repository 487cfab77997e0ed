"""Default departments of the filing conditions: minor class (by keyword, major class or kind) → the department
that disposes of it by default, by department code. Applied by the demo seeding once the departments exist; a real
city passes its own codes and rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grids.choices import ClassKind
from grids.taxonomy.cache import invalidate_taxonomy_cache
from grids.taxonomy.conditions import Match

if TYPE_CHECKING:
    from core.models import Department


@dataclass(frozen=True)
class DepartmentRule:
    """Minor classes matching ``match`` go, by default, to the department with this code (``Department.code``)."""

    department: str
    match: Match


def dept(code: str, *names: str, majors: Iterable[str] = (), kind: str | None = None) -> DepartmentRule:
    return DepartmentRule(code, Match(tuple(names), tuple(majors), kind))


# Keyed by the demo department codes (core.demo.DEPARTMENTS). A rule whose department the city lacks is skipped, so
# the next matching rule (down to the fallbacks) applies.
DEPARTMENT_RULES: tuple[DepartmentRule, ...] = (
    dept("enforcement", "非机动车乱停放", "非装饰性", "阳台"),
    dept("gardens", "绿地脏乱", "绿化弃料"),
    dept("gas", "燃气", "输油"),
    dept("lighting", "路灯", "地灯", "景观灯"),
    dept("traffic-police", "信号灯", "交通信号", "公安", "交通岗亭", "治安岗亭", "电子眼", "机动车乱停放", "限高"),
    dept("traffic-police", "交通标志", "标线"),
    dept("traffic-police", "防撞桶", "反视镜", "畜力车", "履带车", "消防通道"),
    dept("transport", "公交", "出租车", "黑车", "铁道口", "轨道交通", "公路隧道", "栈桥", "港监", "共享单车"),
    dept("transport", "自行车租赁", "停车计费", "停车信息"),
    dept("drainage", "污水", "雨水", "下水道", "化粪池井盖", "道路积水", "排水泵站", "排放口", "中水"),
    dept("water", "供水", "上水", "自来水", "水鹤", "消防设施", "水井", "水塔"),
    dept("power", "电力", "电缆", "变压器", "高压线", "充电桩", "架空线缆"),
    dept("telecom", "通信", "通讯", "电视", "网络", "电话亭", "信息亭", "邮筒", "综合杆"),
    dept("water-affairs", "水域", "河道", "堤岸", "防汛", "防洪", "滩不洁"),
    dept("environment", "油烟", "环保监测", "噪声显示屏", "医疗废物", "污水监测"),
    dept("market", "无证餐饮", "临街屠宰", "农贸市场", "非法出版物", "自动售货机", "售货亭", "报刊亭", "快递柜"),
    dept("construction", "无证建设", "公用电梯", "外立面", "渣土运输", "预埋件", "工地"),
    dept("municipal", "热力", "供热"),
    dept("enforcement", "私搭乱建", "违章", "违规", "无证", "广告", "占道", "游商", "店外经营", "露天烧烤"),
    dept("enforcement", "牌匾", "灯箱", "宣传栏"),
    dept("enforcement", "沿街晾挂", "噪声扰民", "商业噪音", "焚烧", "乱倒乱排", "流浪乞讨", "废品收购"),
    dept("enforcement", "早（夜）市", "擅自", "私设地锁", "占用", "非法伐树", "毁绿"),
    dept("construction", majors=["施工"]),
    dept("sanitation", "垃圾", "道路不洁", "遗撒", "公共厕所", "公厕", "化粪池", "动物尸体", "废弃", "乱堆"),
    dept("sanitation", "拾便", "烟头", "环卫", "积雪", "不洁", "脏乱"),
    dept("gardens", "树", "绿地", "绿化", "林地", "花架", "挂箱", "雕塑", "喷泉", "座椅", "坐椅", "病虫害"),
    dept("gardens", "公园", "古树名木"),
    dept("property", "公房", "人防", "地下室"),
    dept("planning", "地名牌", "门（楼号）牌", "文物"),
    dept("municipal", kind=ClassKind.COMPONENT),
    dept("municipal", "异常", "道路", "路面", "台阶", "路缘石", "盲道", "无障碍坡道", "交通标线", "边坡"),
    dept("enforcement"),
)


def department_for(
    name: str, major_name: str, kind: str, by_code: dict[str, Department], rules: Sequence[DepartmentRule]
) -> Department | None:
    for candidate in rules:
        if candidate.department in by_code and candidate.match.matches(name, major_name, kind):
            return by_code[candidate.department]
    return None


def assign_default_departments(
    by_code: dict[str, Department], rules: Sequence[DepartmentRule] = DEPARTMENT_RULES, *, overwrite: bool = False
) -> int:
    """Set ``FilingCondition.default_department`` from the rule table; returns how many conditions were set.

    Only conditions without a department are touched unless ``overwrite``: a department chosen by an administrator
    stays. Called by the demo seeding once the departments exist; a real city passes its own codes and rules.
    """
    from grids.models import FilingCondition

    conditions = FilingCondition.objects.select_related("minor_class__major")
    if not overwrite:
        conditions = conditions.filter(default_department__isnull=True)
    changed = []
    for condition in conditions:
        minor = condition.minor_class
        department = department_for(minor.name, minor.major.name, minor.kind, by_code, rules)
        if department is not None and department.pk != condition.default_department_id:
            condition.default_department = department
            changed.append(condition)
    FilingCondition.objects.bulk_update(changed, ["default_department"], batch_size=500)
    if changed:
        invalidate_taxonomy_cache()
    return len(changed)
