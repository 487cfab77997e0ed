"""The preset of the demo city (``bishan``): district, streets, communities, the component classes with their
weights and how they are placed."""

from dataclasses import dataclass
from datetime import date

DISTRICT_CODE = "500120"
DISTRICT_NAME = "璧山区"
CENTRE = (106.22, 29.59)  # lng, lat: Bishan's urban core
MANAGED_AREA_M2 = 33.18e6
GRID_COUNT = 548
FULL_COMPONENT_COUNT = 319_996
GRIDS_VALID_FROM = date(2019, 1, 1)

# (3-digit code, name, street-office department code, community count). Codes 0xx are streets, 1xx towns
# (GB/T 10114 convention); the centre street takes the urban core.
STREETS: list[tuple[str, str, str, int]] = [
    ("001", "璧城街道", "st-bicheng", 5),
    ("002", "璧泉街道", "st-biquan", 4),
    ("003", "青杠街道", "st-qinggang", 4),
    ("004", "来凤街道", "st-laifeng", 4),
    ("005", "丁家街道", "st-dingjia", 3),
    ("006", "大路街道", "st-dalu", 3),
    ("101", "河边镇", "st-hebian", 4),
]
COMMUNITY_NAMES = (
    "东林 南门 文星 御湖 城北 金剑 双星 大南 黛山 红旗 塘坊 白鹤 天星 凤凰 青龙 秀湖 璧南 东关 西城 兴隆 "
    "永嘉 龙泉 石桥 广普 三合 鹿鸣 观音 梅江 马鞍 新华 桂花 五一 河滨 书院 翰林"
).split()
VILLAGE_NAMES = "石院 龙井 白果 高山 双河 狮子 大兴 新胜 青木 古佛".split()


@dataclass(frozen=True)
class ComponentClass:
    """One of the 87 demo classes: relative weight, where it stands, its shape, and who looks after it.

    Departments are ``core.demo.DEPARTMENTS`` codes; ``"street"`` means the street office of the component's street.
    """

    code: str
    weight: float
    placement: str = "road"  # "road": along streets; "area": anywhere inside a cell
    shape: str = "point"  # "point", "line" (a short stretch along the road) or "polygon" (small rectangle)
    maintainer: str = "municipal"
    supervising: str = "municipal"
    owner: str | None = None  # defaults to the maintainer


C = ComponentClass
# Weights are per 10,000 components; classes whose names say they are many (covers, lamps, street trees, bins,
# signs) dominate, sculptures, public toilets and monuments are rare.
COMPONENT_CLASSES: list[ComponentClass] = [
    # 01 市政公用设施
    C("01001", 300, maintainer="water", supervising="water-affairs"),  # 供水井盖
    C("01002", 380, maintainer="drainage", supervising="construction"),  # 污水井盖
    C("01003", 450, maintainer="drainage", supervising="construction"),  # 雨水井盖
    C("01004", 520, maintainer="drainage", supervising="construction"),  # 雨水箅子
    C("01005", 180, maintainer="power", supervising="construction"),  # 电力井盖
    C("01006", 140, maintainer="lighting", supervising="municipal"),  # 路灯井盖
    C("01007", 260, maintainer="telecom", supervising="telecom"),  # 通信井盖
    C("01008", 60, maintainer="telecom", supervising="telecom"),  # 电视井盖
    C("01009", 70, maintainer="telecom", supervising="telecom"),  # 网络井盖
    C("01011", 150, maintainer="gas", supervising="construction"),  # 燃气井盖
    C("01012", 30, maintainer="traffic-police", supervising="traffic-police"),  # 公安井盖
    C("01013", 60, maintainer="water", supervising="water-affairs"),  # 消防设施 (hydrants)
    C("01015", 25, maintainer="traffic-police", supervising="traffic-police"),  # 信号灯电源井盖
    C("01017", 50, maintainer="power", supervising="construction"),  # 电缆井盖
    C("01018", 40, maintainer="sanitation", supervising="municipal"),  # 化粪池井盖
    C("01023", 40, maintainer="municipal", supervising="municipal"),  # 不明井盖
    C("01026", 80, shape="line", maintainer="drainage", supervising="construction"),  # 沟槽盖板
    C("01027", 60, maintainer="telecom", supervising="telecom"),  # 通信交接箱
    C("01028", 40, maintainer="power", supervising="construction"),  # 电力设施
    C("01030", 200, maintainer="power", supervising="construction"),  # 电力立杆
    C("01031", 150, maintainer="telecom", supervising="telecom"),  # 通信立杆
    C("01034", 20, maintainer="municipal", supervising="municipal"),  # 不明立杆
    C("01037", 800, maintainer="lighting", supervising="municipal"),  # 路灯
    C("01038", 80, maintainer="lighting", supervising="municipal"),  # 地灯
    C("01039", 150, maintainer="lighting", supervising="municipal"),  # 景观灯
    C("01040", 8, maintainer="market", supervising="market", owner="property"),  # 报刊亭
    C("01042", 6, maintainer="telecom", supervising="telecom"),  # 邮筒
    C("01046", 25, "area", maintainer="street", supervising="gardens"),  # 户外健身设施
    C("01048", 60, maintainer="power", supervising="construction"),  # 变压器（箱）
    C("01049", 20, maintainer="gas", supervising="construction"),  # 燃气调压站（箱）
    C("01050", 90, maintainer="traffic-police", supervising="traffic-police"),  # 监控电子眼设施
    C("01051", 5, maintainer="traffic-police", supervising="traffic-police"),  # 治安岗亭
    C("01052", 10, "area", maintainer="gardens", supervising="gardens"),  # 休息亭
    C("01054", 40, maintainer="power", supervising="construction", owner="property"),  # 充电桩
    C("01059", 15, maintainer="street", supervising="sanitation"),  # 旧衣物回收箱
    C("01060", 40, maintainer="lighting", supervising="municipal"),  # 路灯配电箱
    C("01065", 40, maintainer="street", supervising="enforcement"),  # 管理责任公示牌
    C("01070", 15, "area", "line", maintainer="water-affairs", supervising="water-affairs"),  # 水域护栏
    C("01073", 15, "area", maintainer="drainage", supervising="water-affairs"),  # 雨污水排放口
    C("01075", 30, maintainer="property", supervising="market"),  # 快递柜
    C("01077", 30, maintainer="municipal", supervising="municipal"),  # 综合杆
    # 02 交通设施
    C("02001", 10, "area", "polygon", maintainer="transport", supervising="transport", owner="property"),  # 停车场
    C("02003", 30, maintainer="transport", supervising="transport"),  # 停车计费设备
    C("02004", 60, maintainer="transport", supervising="transport"),  # 公交站设施
    C("02005", 8, maintainer="transport", supervising="transport"),  # 出租车停靠站
    C("02006", 3, maintainer="municipal", supervising="construction"),  # 过街天桥
    C("02007", 2, maintainer="municipal", supervising="construction"),  # 地下通道
    C("02009", 4, maintainer="municipal", supervising="construction"),  # 跨河桥
    C("02010", 400, maintainer="traffic-police", supervising="traffic-police"),  # 交通标志牌及标线
    C("02012", 120, maintainer="municipal", supervising="planning"),  # 路名牌
    C("02013", 30, maintainer="municipal", supervising="planning"),  # 地名牌
    C("02014", 80, maintainer="traffic-police", supervising="traffic-police"),  # 交通信号灯
    C("02017", 300, shape="line", maintainer="municipal", supervising="transport"),  # 交通护栏
    C("02018", 20, maintainer="transport", supervising="transport"),  # 防撞桶
    C("02020", 60, maintainer="municipal", supervising="municipal"),  # 人行横道桩
    C("02021", 350, maintainer="municipal", supervising="municipal"),  # 便道桩
    C("02025", 40, maintainer="transport", supervising="transport"),  # 非机动车停放点
    C("02027", 30, maintainer="transport", supervising="transport"),  # 存车支架
    C("02033", 25, maintainer="transport", supervising="transport"),  # 交通反视镜
    C("02034", 60, maintainer="municipal", supervising="construction"),  # 无障碍设施
    C("02038", 500, maintainer="street", supervising="planning"),  # 门（楼号）牌
    C("02043", 50, shape="line", maintainer="transport", supervising="transport"),  # 减速带
    # 03 市容环卫设施
    C("03001", 4, "area", maintainer="sanitation", supervising="sanitation"),  # 公共厕所
    C("03002", 12, maintainer="sanitation", supervising="sanitation"),  # 公厕指示牌
    C("03003", 30, "area", maintainer="sanitation", supervising="sanitation"),  # 化粪池
    C("03004", 25, "area", maintainer="sanitation", supervising="sanitation"),  # 垃圾间（楼）
    C("03005", 600, maintainer="sanitation", supervising="sanitation"),  # 垃圾箱
    C("03006", 150, maintainer="property", supervising="enforcement"),  # 户外广告
    C("03007", 400, maintainer="street", supervising="enforcement"),  # 牌匾标识
    C("03008", 60, maintainer="street", supervising="street"),  # 宣传栏
    C("03009", 2, "area", maintainer="environment", supervising="environment"),  # 气象监测站
    C("03010", 3, "area", maintainer="environment", supervising="environment"),  # 环保监测站
    C("03014", 20, maintainer="sanitation", supervising="sanitation"),  # 环卫工具间（箱）
    C("03016", 30, maintainer="sanitation", supervising="sanitation"),  # 烟头收集器或灭烟处
    # 04 园林绿化设施
    C("04001", 5, "area", maintainer="gardens", supervising="gardens"),  # 古树名木
    C("04002", 2500, maintainer="gardens", supervising="gardens"),  # 行道树
    C("04003", 300, "area", maintainer="gardens", supervising="gardens"),  # 独立树
    C("04004", 300, maintainer="gardens", supervising="gardens"),  # 护树设施
    C("04005", 80, maintainer="gardens", supervising="gardens"),  # 花架花钵
    C("04006", 2, "area", maintainer="gardens", supervising="gardens"),  # 雕塑
    C("04007", 120, maintainer="gardens", supervising="gardens"),  # 街头座椅
    C("04008", 150, shape="line", maintainer="gardens", supervising="gardens"),  # 绿地护栏
    C("04009", 60, "area", maintainer="gardens", supervising="gardens"),  # 绿地附属设施
    C("04011", 700, maintainer="gardens", supervising="gardens"),  # 树池树穴
    C("04013", 200, "area", "polygon", maintainer="gardens", supervising="gardens"),  # 绿地
    # 05 其他管理部件
    C("05003", 3, "area", maintainer="market", supervising="market", owner="property"),  # 车辆加油（气、电）站
    C("05009", 2, "area", maintainer="planning", supervising="planning"),  # 文物古迹
]
COVER_CODES = {"01001", "01002", "01003", "01005", "01006", "01007", "01008", "01009", "01011", "01012"}
COVER_CODES |= {"01015", "01017", "01018", "01023"}
TREE_CODES = {"04001", "04002", "04003"}


class TaxonomyMissing(RuntimeError):
    """The component classes of the default standard are not loaded (they come with ``migrate``)."""
