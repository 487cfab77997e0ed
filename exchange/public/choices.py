"""The short list of plain-language problems a citizen picks from, each mapped to an event class of the default
standard (GB/T 47678.5-2026). A choice whose class is not in the taxonomy is simply not offered."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# (key, what the citizen reads, class code)
PROBLEMS = [
    ("garbage", _("Rubbish left lying around"), "06010"),  # 暴露垃圾
    ("dirty_road", _("Dirty street"), "06012"),  # 道路不洁
    ("broken_road", _("Broken road or pavement"), "06013"),  # 道路破损
    ("manhole", _("Broken or missing manhole cover"), "01023"),  # 不明井盖异常
    ("streetlight", _("Street light out or broken"), "01037"),  # 路灯异常
    ("posters", _("Illegal posters or graffiti"), "07001"),  # 非法小广告
    ("street_stall", _("Stalls blocking the street"), "09006"),  # 占道经营
    ("parking", _("Badly parked cars"), "09009"),  # 机动车乱停放
    ("noise", _("Noise nuisance"), "06028"),  # 噪声扰民
    ("dust", _("Dust from a building site"), "08004"),  # 工地扬尘
]
PROBLEM_CLASSES = {key: code for key, _label, code in PROBLEMS}
