"""The national class-code tables (分类代码) loaded from the catalogues, their default filing conditions (立案条件) with
disposal limits (处置时限), the 2007 ↔ 2026 mapping, and the default departments.

Everything here is a *default*: the loader only adds what is missing, so an administrator's edits of names, limits,
urgencies or departments survive every reload. The rule tables below are plain data; a city with other practice edits
the conditions in the admin, or calls the functions with its own tables.

- ``load_taxonomy()``: standards, major and minor classes from the CSV catalogues in ``grids/fixtures/`` (code lists,
  columns ``kind,major_code,major_name,code,name``; kind ``matter`` = 事项 of GB/T 47678.5-2026 = our ``event``), then
  default conditions for every minor class that has none, then the mappings.
- ``CONDITION_RULES``: minor class (by keyword of its name, its major class and kind) → one or more conditions.
- ``CURATED_MAPPINGS``: 2007-era → 2026 pairs whose names differ; pairs with the same normalised name are found alone.
- ``DEPARTMENT_RULES`` + ``assign_default_departments()``: minor class → default department (by department code).
"""

from __future__ import annotations

import csv
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

from core.choices import TimeUnit
from grids.choices import ClassKind, Urgency

if TYPE_CHECKING:
    from core.models import Department
    from grids.models import MinorClass

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass(frozen=True)
class Catalogue:
    """One code list shipped with the project, and the standard its codes belong to."""

    standard: str  # ClassificationStandard.code
    name: str
    path: Path
    is_default: bool = False
    is_local: bool = False


GBT_2026 = "gbt47678-5-2026"
CJT_2007 = "cjt214-2007"
CATALOGUES: tuple[Catalogue, ...] = (
    Catalogue(GBT_2026, "GB/T 47678.5-2026", FIXTURES / "gbt47678.5-2026-catalogue.csv", is_default=True),
    Catalogue(CJT_2007, "CJ/T 214-2007", FIXTURES / "cjt214-2007-era-classes.csv"),
)
CSV_KINDS = {"component": ClassKind.COMPONENT, "event": ClassKind.EVENT, "matter": ClassKind.EVENT}
CSV_COLUMNS = ("kind", "major_code", "major_name", "code", "name")


# ---- Default filing conditions ----------------------------------------------------------------------------------

WM, WH, WD = TimeUnit.WORK_MINUTES, TimeUnit.WORK_HOURS, TimeUnit.WORK_DAYS
NH, NM = TimeUnit.NATURAL_HOURS, TimeUnit.NATURAL_MINUTES
URGENT = Urgency.URGENT


@dataclass(frozen=True)
class Match:
    """Which minor classes a rule is for: any keyword in the class name, in the major class name, of a kind.

    Empty tuples and ``None`` match everything; the first matching rule of a table wins, so specific rules come first.
    """

    names: tuple[str, ...] = ()
    majors: tuple[str, ...] = ()
    kind: str | None = None

    def matches(self, name: str, major_name: str, kind: str) -> bool:
        return (
            (self.kind is None or self.kind == kind)
            and (not self.names or any(word in name for word in self.names))
            and (not self.majors or any(word in major_name for word in self.majors))
        )


@dataclass(frozen=True)
class ConditionTemplate:
    """A default 立案条件; ``{subject}`` in the texts stands for the class name without the trailing 异常."""

    description: str
    value: Decimal
    unit: str
    closing: str
    urgency: str = Urgency.NORMAL


@dataclass(frozen=True)
class ConditionRule:
    match: Match
    conditions: tuple[ConditionTemplate, ...]


def c(
    description: str, value: float | int, unit: str, closing: str, urgency: str = Urgency.NORMAL
) -> ConditionTemplate:
    return ConditionTemplate(description, Decimal(str(value)), unit, closing, urgency)


def rule(
    names: Iterable[str] = (), *conditions: ConditionTemplate, majors: Iterable[str] = (), kind: str | None = None
) -> ConditionRule:
    """One row of the rule table: keywords of the class name (and major class, kind) → the conditions it gets."""
    return ConditionRule(Match(tuple(names), tuple(majors), kind), conditions)


EV = ClassKind.EVENT
CLEANED = "已清理干净，现场无残留"
STOPPED = "已停止违法行为，现场复核无继续"
RECTIFIED = "已按要求整改完毕，现场复核合格"
REPAIRED = "已修复，恢复正常使用"
SAFE = "现场已设置警示并排除安全隐患"
ORDERED = "现场已规范，无占道、无乱象"

# Limits follow the practice of domain.md §2: urgent 0.5–2 natural hours (7×24), ordinary 2–8 working hours or
# 1/3/5 working days, engineering and construction rectification 15–20 working days.
CONDITION_RULES: tuple[ConditionRule, ...] = (
    # -- Events and matters of 市容环境 / 宣传广告 / 施工管理 / 街面秩序 / 突发事件 ---------------------------------
    # 施工管理: every class also carries the 15–20 working-day rectification that engineering work needs.
    rule(
        ["无证建设"],
        c("正在进行的无证建设，责令停止建设", 4, WH, "已停止建设"),
        c("无证建设立案调查并作出处罚决定", 7, WD, "已下达处罚决定书"),
        c("无证建设依法拆除或补办手续", 20, WD, "已拆除或已补办规划许可"),
        kind=EV,
    ),
    rule(
        ["施工扰民"],
        c("夜间或午休时段施工噪声扰民，责令停止", 2, WH, "噪声施工已停止"),
        c("降噪措施未落实，责令限期整改", 15, WD, RECTIFIED),
        kind=EV,
    ),
    rule(
        ["施工占道", "无证掘路"],
        c("{subject}，责令停止施工", 4, WH, "已停止施工"),
        c("{subject}，限期恢复道路原状", 20, WD, "道路已恢复原状"),
        kind=EV,
    ),
    rule(
        ["扬尘", "密闭装置", "车轮夹带", "道路未硬化"],
        c("{subject}，扬尘或带泥明显，责令立即洒水、覆盖、冲洗", 4, WH, "已采取抑尘措施，现场无明显扬尘"),
        c("{subject}，防治设施不全，责令限期整改", 15, WD, RECTIFIED),
        kind=EV,
    ),
    rule(
        ["施工废弃料", "物料乱堆放", "场光地净"],
        c("{subject}，责令清运", 1, WD, CLEANED),
        c("{subject}，责令限期整改", 15, WD, RECTIFIED),
        kind=EV,
    ),
    rule(
        ["高空悬吊", "预埋件"],
        c("{subject}，存在安全隐患，责令停止或警示", 1, NH, SAFE, URGENT),
        c("{subject}，责令限期整改", 15, WD, RECTIFIED),
        kind=EV,
    ),
    rule((), c("{subject}，责令限期整改", 15, WD, RECTIFIED), majors=["施工"], kind=EV),
    rule(
        ["私搭乱建"],
        c("正在搭建的违法建（构）筑物，责令停止施工", 4, WH, "已停止施工，现场无继续搭建"),
        c("已建成的违法建（构）筑物，立案调查并作出处罚决定", 7, WD, "已下达处罚决定书"),
        c("违法建（构）筑物依法拆除", 20, WD, "已拆除并清运建筑垃圾，场地恢复"),
        kind=EV,
    ),
    rule(
        ["店面无证装修", "非法伐树", "非法占绿毁绿"],
        c("{subject}正在进行，责令停止", 4, WH, STOPPED),
        c("{subject}立案查处并恢复原状", 7, WD, "已作出处理决定，现场已恢复"),
        kind=EV,
    ),
    rule(
        ["暴露垃圾"],
        c("成堆成片生活垃圾（1平方米以上）", 4, WH, "垃圾已清运，地面干净无残留"),
        c("零星暴露垃圾", 2, WH, CLEANED),
        kind=EV,
    ),
    rule(
        ["积存垃圾渣土"],
        c("积存垃圾渣土1立方米以上", 1, WD, "已清运，地面干净无残留"),
        c("少量积存垃圾渣土", 4, WH, CLEANED),
        kind=EV,
    ),
    rule(["道路不洁"], c("路面有明显垃圾、污渍或积泥", 2, WH, "已清扫保洁，路面干净"), kind=EV),
    rule(
        ["道路遗撒"],
        c("大面积遗撒，影响通行安全", 2, NH, "遗撒物已清除，路面恢复通行", URGENT),
        c("少量遗撒", 2, WH, CLEANED),
        kind=EV,
    ),
    rule(["水域不洁", "滩不洁"], c("{subject}：有明显漂浮物、垃圾或杂物", 4, WH, CLEANED), kind=EV),
    rule(["绿地脏乱"], c("绿地内有明显垃圾、杂物或污物", 4, WH, CLEANED), kind=EV),
    rule(["满溢"], c("垃圾收集容器满溢，垃圾散落", 2, WH, "已清运，容器周边干净"), kind=EV),
    rule(["垃圾未分类"], c("垃圾未按要求分类投放", 1, WD, "已督促分类，现场复核合格"), kind=EV),
    rule(["动物尸体"], c("道路、绿地或水面有动物尸体", 2, WH, "已清除并消杀"), kind=EV),
    rule(["焚烧"], c("正在焚烧垃圾、树叶，产生明火浓烟", 1, NH, "明火已扑灭，残留物已清理", URGENT), kind=EV),
    rule(["医疗废物"], c("乱丢弃医疗废物", 2, NH, "已按医疗废物规定收运处置", URGENT), kind=EV),
    rule(["非正规垃圾填埋场"], c("非正规垃圾堆放点、填埋场需清理整治", 20, WD, "已清理整治，场地恢复"), kind=EV),
    rule(["废弃车辆"], c("长期停放的废弃车辆，告知后仍未清理", 7, WD, "车辆已清拖或由车主移走"), kind=EV),
    rule(["废弃家具", "乱堆杂物", "乱堆物堆料", "绿化弃料"], c("{subject}，影响市容或通行", 1, WD, CLEANED), kind=EV),
    rule(["非装饰性", "挂彩旗", "节庆装饰物"], c("{subject}", 1, WD, "已清除或修复"), kind=EV),
    rule(["沿街晾挂"], c("临街晾晒、悬挂衣物等", 4, WH, "已劝导收起，现场整洁"), kind=EV),
    rule(
        ["空调室外机低挂", "违章接坡", "外立面", "阳台", "遮阳篷"],
        c("{subject}，责令限期整改", 5, WD, RECTIFIED),
        kind=EV,
    ),
    rule(["擅自架设管线"], c("擅自架设管线、杆线，责令限期拆除", 7, WD, "已拆除或已补办手续"), kind=EV),
    rule(
        ["架空线缆"],
        c("架空线缆脱落、垂地，存在安全隐患", 2, NH, SAFE, URGENT),
        c("架空线缆凌乱、破损，需整理", 7, WD, "线缆已整理规范"),
        kind=EV,
    ),
    rule(
        ["道路破损"],
        c("坑槽、塌陷或井周破损，危及通行安全", 2, NH, "现场已围挡警示并完成抢修", URGENT),
        c("路面一般破损、松动或拱起", 5, WD, "路面已修复平整"),
        kind=EV,
    ),
    rule(
        ["路面塌陷"],
        c("路面塌陷，危及通行安全", 2, NH, "现场已围挡警示，险情已控制", URGENT),
        c("塌陷修复需开挖施工", 15, WD, "路面已修复并恢复通行"),
        kind=EV,
    ),
    rule(["台阶破损", "路缘石", "盲道", "无障碍坡道"], c("{subject}", 5, WD, "已修复平整")),
    rule(["交通标线不清晰"], c("交通标线磨损、缺失，需重新施划", 15, WD, "标线已重新施划清晰"), kind=EV),
    rule(
        ["边坡", "堤岸"],
        c("{subject}，有垮塌危险", 2, NH, SAFE, URGENT),
        c("{subject}，需工程修复", 20, WD, "已修复加固，现场复核合格"),
        kind=EV,
    ),
    rule(["病虫害"], c("绿化植物发生病虫害", 5, WD, "已防治，病虫害得到控制"), kind=EV),
    rule(["水域秩序", "公园秩序"], c("{subject}（违规垂钓、游泳、经营等）", 4, WH, ORDERED), kind=EV),
    rule(["河道污染"], c("河道出现油污、异色或异味", 1, WD, "污染源已查明并处置"), kind=EV),
    rule(["乱倒乱排"], c("乱倒乱排污水、废水", 4, WH, STOPPED), kind=EV),
    rule(["油烟污染"], c("餐饮油烟直排或净化设施未运行", 5, WD, RECTIFIED), kind=EV),
    rule(["噪声扰民", "商业噪音"], c("{subject}", 2, WH, "噪声已停止或降至规定限值")),
    rule(["露天烧烤"], c("占道露天烧烤", 2, WH, "已取缔，现场清理干净"), kind=EV),
    rule(["饲养家禽"], c("城区擅自饲养家禽家畜", 3, WD, "已清理，现场复核无饲养"), kind=EV),
    rule(["违章开设道口", "占用河道"], c("{subject}，责令限期恢复", 7, WD, "已恢复原状"), kind=EV),
    rule(["私设地锁"], c("私设地锁、阻车桩占用公共空间", 1, WD, "已拆除"), kind=EV),
    # 宣传广告
    rule(["非法小广告"], c("墙面、设施上张贴、涂写、喷印的小广告", 1, WD, "已清除，墙面恢复"), kind=EV),
    rule(["街头散发"], c("街头散发广告", 2, WH, STOPPED), kind=EV),
    rule(
        ["违规户外广告", "违章张贴悬挂广告牌匾", "占道广告牌", "违规牌匾标识"],
        c("广告设施松动、倾斜，有坠落隐患", 2, NH, SAFE, URGENT),
        c("{subject}，责令限期拆除或整改", 7, WD, "已拆除或整改到位"),
        kind=EV,
    ),
    rule(
        ["广告招牌破损"],
        c("广告招牌松动、破损，有坠落隐患", 2, NH, SAFE, URGENT),
        c("广告招牌破损、缺字或不亮", 5, WD, REPAIRED),
        kind=EV,
    ),
    rule(["广告语言文字"], c("广告、牌匾用字不规范", 7, WD, "已更正"), kind=EV),
    rule(["违规标语"], c("违规悬挂标语、宣传品", 1, WD, "已清除"), kind=EV),
    rule(["公益性宣传品"], c("公益性宣传品破损、缺失或过期", 5, WD, "已更换或修复"), kind=EV),
    # 街面秩序
    rule(
        ["游商", "店外经营", "占道经营", "市管理", "占道洗车", "占道促销", "废品收购"],
        c("{subject}", 2, WH, ORDERED),
        kind=EV,
    ),
    rule(["流浪乞讨"], c("流浪乞讨人员滞留街面", 2, WH, "已劝导或护送至救助站"), kind=EV),
    rule(["非机动车乱停放", "共享单车"], c("{subject}，影响通行或市容", 4, WH, "车辆已摆放整齐"), kind=EV),
    rule(["机动车乱停放"], c("机动车违规停放，影响通行", 2, WH, "车辆已驶离或已处理"), kind=EV),
    rule(["消防通道"], c("占用、堵塞消防通道", 1, NH, "消防通道已畅通", URGENT), kind=EV),
    rule(["黑车", "畜力车", "履带车", "临街屠宰"], c("{subject}", 2, WH, STOPPED), kind=EV),
    rule(["非法出版物"], c("街头销售非法出版物", 4, WH, "已取缔，出版物已收缴"), kind=EV),
    rule(["无证餐饮"], c("无证照经营餐饮", 3, WD, "已取缔或已办证"), kind=EV),
    rule(["农贸市场"], c("农贸市场内外秩序混乱", 1, WD, ORDERED), kind=EV),
    rule(["违规设置停车场", "桥下空间"], c("{subject}，责令限期整改", 7, WD, RECTIFIED), kind=EV),
    rule(["占用无障碍通道"], c("占用无障碍通道、盲道", 4, WH, "通道已畅通"), kind=EV),
    # 突发事件 (2007 era) and the urgent 2026 matters
    rule(["自来水管破裂"], c("供水管道破裂跑水", 2, NH, "已关阀抢修，恢复供水", URGENT), kind=EV),
    rule(["燃气管道破裂"], c("燃气管道破裂泄漏", 1, NH, "已切断气源并抢修完毕", URGENT), kind=EV),
    rule(["热力管道破裂"], c("供热管道破裂", 2, NH, "已抢修完毕", URGENT), kind=EV),
    rule(
        ["下水道堵塞"],
        c("下水道堵塞，污水外溢", 2, NH, "已疏通，路面无积水", URGENT),
        c("下水道破损或排水不畅", 1, WD, REPAIRED),
        kind=EV,
    ),
    rule(["道路积水"], c("道路积水，影响通行", 2, NH, "积水已排除", URGENT), kind=EV),
    rule(
        ["积雪"],
        c("主次干道、桥梁积雪结冰，影响通行安全", 2, NH, "已清除积雪、撒布融雪剂", URGENT),
        c("背街小巷、人行道积雪结冰", 1, WD, "积雪已清除"),
        kind=EV,
    ),
    rule(["群发性事件"], c("群体聚集，需立即上报并处置", 30, NM, "事态已平息", URGENT), kind=EV),
    rule((), c("{subject}，需立即处置", 2, NH, "险情已排除", URGENT), majors=["突发"], kind=EV),
    # -- Components (部件) and the 2026 matters about them (<部件>异常) --------------------------------------------
    rule(
        ["井盖", "箅子", "沟槽盖板"],
        c("{subject}丢失、移位或塌陷，路面出现敞口", 2, NH, "已补装或复位，路面无敞口", URGENT),
        c("{subject}破损、松动或与路面高差明显", 8, WH, "已更换或修复，与路面平顺"),
    ),
    rule(
        ["燃气", "输油"],
        c("{subject}泄漏或严重损坏，存在燃爆隐患", 1, NH, "已切断气源、排除险情", URGENT),
        c("{subject}破损、锈蚀或标识缺失", 3, WD, REPAIRED),
    ),
    rule(
        ["标识牌", "公示牌", "指示牌", "标示牌", "标志牌", "路名牌", "地名牌", "门（楼号）牌"],
        c("{subject}破损、倾斜、污损或缺失", 5, WD, "已修复或补设"),
    ),
    rule(
        ["电力", "电缆", "变压器", "高压线", "配电箱", "充电桩", "综合杆"],
        c("{subject}破损、电线裸露，存在触电隐患", 2, NH, SAFE, URGENT),
        c("{subject}锈蚀、倾斜、箱门缺失或标识不清", 3, WD, REPAIRED),
    ),
    rule(
        ["路灯", "地灯", "景观灯"],
        c("{subject}灯杆倾斜、灯具脱落或线缆裸露，存在安全隐患", 2, NH, SAFE, URGENT),
        c("同一路段连续3盏及以上不亮", 1, WD, "已恢复正常亮灯"),
        c("{subject}单盏不亮或灯具、灯杆破损", 3, WD, "已修复，恢复正常亮灯"),
    ),
    rule(
        ["信号灯", "交通信号"],
        c("{subject}不亮、常亮或显示错乱", 2, NH, "信号恢复正常", URGENT),
        c("{subject}破损、倾斜或被遮挡", 1, WD, REPAIRED),
    ),
    rule(
        ["消防"],
        c("{subject}损坏漏水或缺失", 4, WH, REPAIRED),
        c("{subject}被遮挡、占压", 1, WD, "遮挡占压已清除"),
    ),
    rule(["监测", "显示屏"], c("{subject}损坏、停止工作或显示异常", 3, WD, REPAIRED)),
    rule(
        ["供水", "水鹤", "水塔", "水井"],
        c("{subject}破损漏水", 4, WH, "已止水修复"),
        c("{subject}其他损坏", 3, WD, REPAIRED),
    ),
    rule(
        ["排水泵站", "排放口", "化粪池"],
        c("{subject}堵塞、满溢或污水外溢", 4, WH, "已疏通清掏，现场无外溢"),
        c("{subject}设施破损", 5, WD, REPAIRED),
    ),
    rule(
        ["桥", "地下通道", "隧道", "涵"],
        c("{subject}结构破损或坠物，危及通行安全", 2, NH, SAFE, URGENT),
        c("{subject}附属设施破损或脏污", 5, WD, REPAIRED),
    ),
    rule(
        ["公用电梯"],
        c("公用电梯困人或故障停运", 1, NH, "已解困，电梯恢复运行", URGENT),
        c("{subject}设施破损", 3, WD, REPAIRED),
    ),
    rule(
        ["防汛", "防洪", "水域"],
        c("{subject}损毁，存在安全隐患", 2, NH, SAFE, URGENT),
        c("{subject}破损、缺失", 7, WD, REPAIRED),
    ),
    rule(
        ["危险源", "加油"],
        c("{subject}出现泄漏、火情等险情", 1, NH, "险情已排除", URGENT),
        c("{subject}安全管理措施缺失", 3, WD, RECTIFIED),
    ),
    rule(["工地"], c("{subject}围挡、出入口等设施缺损，责令限期整改", 15, WD, RECTIFIED)),
    rule(
        ["古树名木"],
        c("古树名木折枝、倾斜，存在安全隐患", 2, NH, SAFE, URGENT),
        c("古树名木受损、长势衰弱或保护设施缺失", 1, WD, "已采取保护复壮措施"),
    ),
    rule(
        ["行道树", "独立树"],
        c("{subject}倒伏、断枝，危及行人车辆", 2, NH, "已清除倒伏树木或断枝", URGENT),
        c("{subject}缺株、死亡或破损", 5, WD, "已补植或修复"),
    ),
    rule(
        ["广告", "牌匾", "灯箱", "宣传栏"],
        c("{subject}松动、倾斜，有坠落隐患", 2, NH, SAFE, URGENT),
        c("{subject}破损、污损或不亮", 5, WD, REPAIRED),
    ),
    rule(
        ["垃圾箱", "垃圾间", "工具间", "拾便", "烟头"],
        c("{subject}满溢或脏污", 2, WH, "已清运清洗"),
        c("{subject}破损或缺失", 3, WD, "已修复或补设"),
    ),
    rule(
        ["公共厕所"],
        c("公共厕所脏污、异味严重或停水停电无法使用", 4, WH, "已保洁，恢复正常使用"),
        c("公共厕所设施破损", 5, WD, REPAIRED),
    ),
    rule(["牌", "指示"], c("{subject}破损、倾斜、污损或缺失", 5, WD, "已修复或补设")),
    rule(
        ["护栏", "隔离", "防撞桶", "安全岛", "桩", "减速带", "反视镜", "限高"],
        c("{subject}缺失、倒伏或严重损坏，影响通行安全", 1, WD, REPAIRED),
        c("{subject}破损、污损", 5, WD, REPAIRED),
    ),
    rule(
        ["树池", "护树", "花架", "挂箱", "喷泉", "雕塑", "座椅", "坐椅", "绿地附属", "绿地维护"],
        c("{subject}破损、缺失或脏污", 5, WD, "已修复或补设"),
    ),
    rule(["绿地", "林地"], c("{subject}缺株、斑秃、黄土裸露或设施破损", 5, WD, "已补植修复")),
    rule(["人防", "地下室"], c("{subject}积水、堆物或设施损坏", 5, WD, "已清理修复")),
    rule(["文物"], c("{subject}受损、污损或被占用", 1, WD, "已制止并采取保护措施")),
    # -- Fallbacks: every minor class gets at least one condition -----------------------------------------------
    rule(
        ["异常"],
        c("{subject}严重损坏或缺失，存在安全隐患", 2, NH, SAFE, URGENT),
        c("{subject}破损、污损或功能异常", 3, WD, REPAIRED),
    ),
    rule(
        (),
        c("{subject}严重损坏或缺失，存在安全隐患", 2, NH, SAFE, URGENT),
        c("{subject}破损、污损或功能异常", 3, WD, REPAIRED),
        kind=ClassKind.COMPONENT,
    ),
    rule((), c("{subject}，责令限期处理", 3, WD, "问题已解决，现场复核合格")),
)


# 处置后照片: the closing condition is "visual" when it names a state of the site that a photo taken after disposal
# shows (clean, repaired, removed, restored, fenced off…), unless it is met by a paper (a decision, a permit) or by
# something a photo cannot show (noise). Component classes always need one: the component is there to be shown.
VISUAL_WORDS = (
    "干净",
    "清理",
    "清运",
    "清除",
    "清扫",
    "清拖",
    "移走",
    "修复",
    "恢复",
    "拆除",
    "整理",
    "规范",
    "施划",
    "围挡",
    "警示",
    "现场",
    "整洁",
    "平整",
    "扑灭",
    "抑尘",
    "收起",
)
NOT_VISUAL_WORDS = ("决定", "手续", "许可", "噪声")


def closing_is_visual(closing: str) -> bool:
    return any(w in closing for w in VISUAL_WORDS) and not any(w in closing for w in NOT_VISUAL_WORDS)


def after_photo_required(kind: str, closing: str) -> bool:
    """The default of ``FilingCondition.requires_after_photo``: component classes, and classes closed by sight."""
    return kind == ClassKind.COMPONENT or closing_is_visual(closing)


def subject_of(name: str, major_name: str = "") -> str:
    """The thing a class is about: 2026 matter names are ``<component>异常``; a bare 其他 names its major class."""
    if name == "其他" and major_name:
        return f"其他{major_name.removesuffix('类')}问题"
    return name.removesuffix("异常") or name


def conditions_for(
    name: str, major_name: str, kind: str, rules: Sequence[ConditionRule] = CONDITION_RULES
) -> tuple[ConditionTemplate, ...]:
    for candidate in rules:
        if candidate.match.matches(name, major_name, kind):
            return candidate.conditions
    return ()


UNIT_SUFFIX = {WM: "工作分钟", WH: "工作时", WD: "工作日", NH: "小时", NM: "分钟"}


def limit_label(value: Decimal | int | float, unit: str) -> str:
    """The limit as the field writes it: "4工作时", "0.5小时", "20工作日" (natural hours are plain 小时)."""
    number = Decimal(str(value)).normalize()
    text = f"{number:f}"
    return f"{text}{UNIT_SUFFIX.get(unit, unit)}"


# ---- Mapping between standards ----------------------------------------------------------------------------------

# (2007-era code, kind, 2026 code, kind): pairs whose names differ; same-named pairs are matched automatically.
C, E = ClassKind.COMPONENT, ClassKind.EVENT
CURATED_MAPPINGS: tuple[tuple[str, str, str, str], ...] = (
    ("0101", C, "01001", C),  # 上水井盖 → 供水井盖
    ("0107", C, "01007", C),  # 通讯井盖 → 通信井盖
    ("0114", C, "01023", C),  # 无主井盖 → 不明井盖
    ("0115", C, "01027", C),  # 通讯交接箱 → 通信交接箱
    ("0126", C, "01046", C),  # 健身设施 → 户外健身设施
    ("0131", C, "01024", C),  # 民用水井 → 水井
    ("0136", C, "01050", C),  # 监控电子眼 → 监控电子眼设施
    ("0203", C, "02004", C),  # 公交站亭 → 公交站设施
    ("0204", C, "02005", C),  # 出租车站牌 → 出租车停靠站
    ("0207", C, "02008", C),  # 高架立交桥 → 立交桥
    ("0209", C, "02010", C),  # 交通标志牌 → 交通标志牌及标线
    ("0306", C, "03006", C),  # 灯箱霓虹灯 → 户外广告
    ("0307", C, "03007", C),  # 广告牌匾 → 牌匾标识
    ("0407", C, "04007", C),  # 街头坐椅 → 街头座椅
    ("0409", C, "04009", C),  # 绿地维护设施 → 绿地附属设施
    ("0606", C, "01071", C),  # 防洪墙 → 防汛墙
    ("0109", E, "06019", E),  # 非装饰性树挂 → 非装饰性吊挂
    ("0202", E, "07006", E),  # 违章张贴悬挂广告牌匾 → 违规牌匾标识
    ("0203", E, "07003", E),  # 占道广告牌 → 违规户外广告
    ("0204", E, "07002", E),  # 街头散发(小)广告 → 街头散发广告
    ("0205", E, "03006", E),  # 广告招牌破损 → 户外广告异常
    ("0401", E, "06013", E),  # 路面塌陷 → 道路破损
    ("0408", E, "10002", E),  # 架空线缆损坏 → 架空线缆脱落
    ("0503", E, "09004", E),  # 占道废品收购 → 废品收购乱象
    ("0507", E, "06036", E),  # 乱堆物堆料 → 乱堆杂物
    ("0508", E, "06028", E),  # 商业噪音 → 噪声扰民
)
NOTE_SAME_NAME = "同名对照"
NOTE_CURATED = "对照表"
NOTE_COMPONENT_MATTER = "部件类问题 → 2026 部件异常事项"


def normalise(name: str) -> str:
    """Compare names across generations: full-width forms folded (NFKC), punctuation and spaces dropped."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def mapping_pairs(legacy: Sequence[MinorClass], current: Sequence[MinorClass]) -> list[tuple[int, int, str]]:
    """(source id, target id, note) pairs from the legacy standard's classes to the current one's.

    Same kind and same normalised name, or a curated pair; and a legacy component class (2007 cases about components
    carry the component code) also maps to the 2026 matter ``<component>异常`` of its counterpart.
    """
    by_code = {(m.kind, m.code): m for m in current}
    by_name = {(m.kind, normalise(m.name)): m for m in current}
    pairs: dict[tuple[int, int], str] = {}
    curated = {(src, src_kind): by_code.get((dst_kind, dst)) for src, src_kind, dst, dst_kind in CURATED_MAPPINGS}
    for old in legacy:
        target = curated.get((old.code, old.kind))
        note = NOTE_CURATED
        if target is None:
            target, note = by_name.get((old.kind, normalise(old.name))), NOTE_SAME_NAME
        if target is None:
            continue
        pairs.setdefault((old.pk, target.pk), note)
        if old.kind == ClassKind.COMPONENT:
            matter = by_name.get((ClassKind.EVENT, normalise(target.name + "异常")))
            if matter is not None:
                pairs.setdefault((old.pk, matter.pk), NOTE_COMPONENT_MATTER)
    return [(src, dst, note) for (src, dst), note in pairs.items()]


# ---- Loading ----------------------------------------------------------------------------------------------------


class CatalogueError(ValueError):
    """A catalogue row that cannot be loaded; the message names the file and row."""


@dataclass(frozen=True)
class CatalogueRow:
    kind: str
    major_code: str
    major_name: str
    code: str
    name: str


def read_catalogue(path: Path) -> list[CatalogueRow]:
    """Read and check a catalogue CSV; every problem is reported with its row number, nothing is loaded on error."""
    rows: list[CatalogueRow] = []
    errors: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [col for col in CSV_COLUMNS if col not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError(f"{path.name}: missing columns {', '.join(missing)}")
        seen: set[tuple[str, str]] = set()
        for number, raw in enumerate(reader, start=2):
            values = {col: (raw.get(col) or "").strip() for col in CSV_COLUMNS}
            kind = CSV_KINDS.get(values["kind"])
            problems = []
            if kind is None:
                problems.append(f"kind {values['kind']!r} is not one of {', '.join(CSV_KINDS)}")
            if not values["major_code"] or len(values["major_code"]) > 2:
                problems.append("major_code must have 1–2 characters")
            if not values["code"] or len(values["code"]) > 8 or not values["code"].startswith(values["major_code"]):
                problems.append("code must have at most 8 characters and start with major_code")
            if not values["name"] or not values["major_name"]:
                problems.append("name and major_name are required")
            if kind and (kind, values["code"]) in seen:
                problems.append(f"code {values['code']} appears twice")
            if problems:
                errors.append(f"{path.name} row {number}: {'; '.join(problems)}")
                continue
            seen.add((kind, values["code"]))
            rows.append(CatalogueRow(kind, values["major_code"], values["major_name"], values["code"], values["name"]))
    if errors:
        raise CatalogueError("\n".join(errors))
    return rows


TAXONOMY_VERSION_KEY = "grids:taxonomy:version"


def taxonomy_version() -> int:
    """A number that changes on every taxonomy edit; cached API answers carry it in their key. 0 when Redis cannot
    be reached (the tolerant cache answers None): callers then answer from the database and cache nothing."""
    version = cache.get(TAXONOMY_VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: if Redis drops the key, old answers under a small number must not come back.
        cache.add(TAXONOMY_VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = cache.get(TAXONOMY_VERSION_KEY)
    return int(version or 0)


def invalidate_taxonomy_cache(**_signal_kwargs) -> None:
    try:
        cache.incr(TAXONOMY_VERSION_KEY)
    except ValueError:  # no version yet: nothing can be cached under one
        taxonomy_version()


def load_catalogue(catalogue: Catalogue, using: str = "default") -> dict[str, int]:
    """Add the standard, major and minor classes of one catalogue that are not there yet; edits are left alone."""
    from grids.models import ClassificationStandard, MajorClass, MinorClass

    rows = read_catalogue(catalogue.path)
    added = {"standards": 0, "major_classes": 0, "minor_classes": 0}
    standard = ClassificationStandard.objects.using(using).filter(code=catalogue.standard).first()
    if standard is None:
        has_default = ClassificationStandard.objects.using(using).filter(is_default=True).exists()
        standard = ClassificationStandard.objects.using(using).create(
            code=catalogue.standard,
            name=catalogue.name,
            is_default=catalogue.is_default and not has_default,
            is_local=catalogue.is_local,
        )
        added["standards"] = 1
    majors = {(m.kind, m.code): m for m in MajorClass.objects.using(using).filter(standard=standard)}
    new_majors: dict[tuple[str, str], MajorClass] = {}
    for row in rows:
        key = (row.kind, row.major_code)
        if key not in majors and key not in new_majors:
            new_majors[key] = MajorClass(standard=standard, kind=row.kind, code=row.major_code, name=row.major_name)
    MajorClass.objects.using(using).bulk_create(new_majors.values())
    majors.update(new_majors)
    existing = set(MinorClass.objects.using(using).filter(standard=standard).values_list("kind", "code"))
    new_minors = [
        MinorClass(standard=standard, major=majors[(r.kind, r.major_code)], kind=r.kind, code=r.code, name=r.name)
        for r in rows
        if (r.kind, r.code) not in existing
    ]
    MinorClass.objects.using(using).bulk_create(new_minors)
    added["major_classes"], added["minor_classes"] = len(new_majors), len(new_minors)
    return added


def seed_default_conditions(using: str = "default", rules: Sequence[ConditionRule] = CONDITION_RULES) -> int:
    """Give every minor class without any filing condition its default ones; classes an administrator has already
    given conditions (or whose defaults were edited) are not touched."""
    from grids.models import FilingCondition, MinorClass

    bare = MinorClass.objects.using(using).filter(conditions__isnull=True).select_related("major")
    new = []
    for minor in bare:
        subject = subject_of(minor.name, minor.major.name)
        for index, template in enumerate(conditions_for(minor.name, minor.major.name, minor.kind, rules), start=1):
            closing = template.closing.format(subject=subject)[:300]
            new.append(
                FilingCondition(
                    minor_class=minor,
                    code=f"{index:02d}",
                    description=template.description.format(subject=subject)[:300],
                    limit_value=template.value,
                    limit_unit=template.unit,
                    closing_condition=closing,
                    urgency=template.urgency,
                    requires_after_photo=after_photo_required(minor.kind, closing),
                )
            )
    FilingCondition.objects.using(using).bulk_create(new)
    return len(new)


def seed_mappings(legacy_code: str = CJT_2007, current_code: str = GBT_2026, using: str = "default") -> int:
    """Add the legacy → current class mappings that are missing."""
    from grids.models import ClassMapping, MinorClass

    classes = MinorClass.objects.using(using).filter(standard__code__in=[legacy_code, current_code])
    legacy: list[MinorClass] = []
    current: list[MinorClass] = []
    for minor in classes.select_related("standard"):
        (legacy if minor.standard.code == legacy_code else current).append(minor)
    existing = set(ClassMapping.objects.using(using).values_list("source_id", "target_id"))
    new = [
        ClassMapping(source_id=src, target_id=dst, note=note)
        for src, dst, note in mapping_pairs(legacy, current)
        if (src, dst) not in existing
    ]
    ClassMapping.objects.using(using).bulk_create(new)
    return len(new)


def load_taxonomy(catalogues: Sequence[Catalogue] = CATALOGUES, using: str = "default") -> dict[str, int]:
    """Load the shipped catalogues, default conditions and mappings; idempotent. Returns what was added."""
    added = {"standards": 0, "major_classes": 0, "minor_classes": 0, "conditions": 0, "mappings": 0}
    with transaction.atomic(using=using):
        for catalogue in catalogues:
            for key, count in load_catalogue(catalogue, using).items():
                added[key] += count
        added["conditions"] = seed_default_conditions(using)
        added["mappings"] = seed_mappings(using=using)
    if any(added.values()):
        invalidate_taxonomy_cache()
    return added


def ensure_taxonomy(using: str = "default") -> None:
    """After migrate (and every test-database flush): load the catalogue if the class table is empty."""
    from grids.models import MinorClass

    if not MinorClass.objects.using(using).exists():
        load_taxonomy(using=using)


# ---- Default departments ----------------------------------------------------------------------------------------


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
