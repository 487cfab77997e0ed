"""Default filing conditions (立案条件) of the national classes: a readable rule table (class name keywords → the
conditions a class gets, each with its disposal limit, closing condition and urgency), and the rules deciding when
disposal needs a photo taken after it (处置后照片).

Plain data and pure functions: ``grids.taxonomy.loader`` writes what they say into ``FilingCondition`` rows where
a class has none, so an administrator's edits survive every reload.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.choices import TimeUnit
from grids.choices import ClassKind, Urgency

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

# Limits follow the practice of docs/domain.md §2: urgent 0.5–2 natural hours (7×24), ordinary 2–8 working hours or
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
