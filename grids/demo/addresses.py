"""Plausible street addresses of the demo city: the nearest named road and a house number from a point."""

from grids.demo.plan import metres_per_degree
from grids.demo.preset import CENTRE

# ``_build_roads``); each band of 500 m carries one road name, and house numbers count 20 m steps along it, odd on one
# side, even on the other. Synthetic, but the same point always gets the same address and neighbours share a road.
DISTRICT_NAME = "璧山区"
NS_ROADS = ("璧泉路", "东林大道", "文星路", "金剑路", "御湖路", "永嘉大道", "双星大道", "黛山大道", "璧青路", "南河路")
EW_ROADS = ("奥康大道", "迎宾大道", "璧城路", "来凤路", "大兴路", "丁家路", "青杠路", "广普路", "大路街", "河边路")
ROAD_SPACING_M = 500.0


def demo_address(lng: float, lat: float) -> str:
    """璧山区XX路NN号 for a point of the demo city: the nearer of the two roads of its 500 m band."""
    mx, my = metres_per_degree(CENTRE[1])
    x, y = (lng - CENTRE[0]) * mx, (lat - CENTRE[1]) * my
    off_x = abs(x / ROAD_SPACING_M - round(x / ROAD_SPACING_M))
    off_y = abs(y / ROAD_SPACING_M - round(y / ROAD_SPACING_M))
    if off_x <= off_y:  # nearer a north-south road: numbered from south to north
        road, along, side = NS_ROADS[round(x / ROAD_SPACING_M) % len(NS_ROADS)], y, x
    else:
        road, along, side = EW_ROADS[round(y / ROAD_SPACING_M) % len(EW_ROADS)], x, y
    step = int((along + 5000) // 20) // 2 * 2 + 1  # odd
    number = step + (1 if side % ROAD_SPACING_M > ROAD_SPACING_M / 2 else 0)
    return f"{DISTRICT_NAME}{road}{max(number, 1)}号"
