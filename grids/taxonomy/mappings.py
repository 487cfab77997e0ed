"""The 2007 → 2026 class mapping (CJ/T 214-2007 era → GB/T 47678.5-2026): same normalised name, or a curated pair
where the names differ; a legacy component class also maps to the 2026 matter about that component."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from grids.choices import ClassKind

if TYPE_CHECKING:
    from grids.models import MinorClass

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
