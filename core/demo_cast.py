"""The demo city's people (演示账号): every demo account, by role and department, listed once and used by every
app's demo seeding (core's organisation, grids' duty grids, cases' year of history, hotlines' orders and channels,
evaluation's bulletins).

Accounts are created where the layer that needs them seeds (the centre's staff and department handlers with the
organisation, the street collectors with the duty grids they patrol, the 12345 platform account with the hotlines),
but their usernames, names and departments are decided here. ``demo_cast()`` reads the seeded people back for the
seeders that act in their name.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.choices import Role

DEMO_PASSWORD = "citymgmt-demo"

# The centre's staff: one account per role (username, role, name).
ROLE_ACCOUNTS: list[tuple[str, str, str]] = [
    ("collector", Role.COLLECTOR, "张采集"),
    ("operator", Role.OPERATOR, "李受理"),
    ("leader", Role.SHIFT_LEADER, "王值班"),
    ("dispatcher", Role.DISPATCHER, "赵派遣"),
    ("supervisor", Role.SUPERVISOR, "陈督查"),
    ("finance", Role.FINANCE, "刘财务"),
    ("admin", Role.ADMIN, "系统管理员"),
]

# One handler per department (``core.demo.DEPARTMENTS`` order): dept01, dept02, … named after the department.
HANDLER_NAME = "{department}处置员"

# The street collectors of the outsourced collection company: ``collector`` patrols the urban core (street 1),
# collector2 … collector7 the other six streets (the order of ``grids.demo.STREETS``).
COLLECTION_COMPANY = "collection-co"
STREET_COLLECTORS: list[tuple[str, str]] = [(f"collector{k}", f"采集员{k:02d}") for k in range(2, 8)]

# The 12345 platform's system account (role hotline_platform): pushes orders, pulls replies back.
PLATFORM_ACCOUNT = ("hotline12345", "12345平台接口")


def handler_username(index: int) -> str:
    """The handler of the *index*-th department (1-based)."""
    return f"dept{index:02d}"


@dataclass(frozen=True)
class DemoCast:
    """The seeded people the seeders act as."""

    operator: object
    leader: object
    dispatcher: object
    supervisor: object
    collector: object
    handlers: dict[int, object]  # department id → its first active handler


def _account(username: str, role: str):
    from core.models import User

    active = User.objects.filter(role=role, is_active=True)
    return active.filter(username=username).first() or active.order_by("pk").first()


def demo_cast() -> DemoCast | None:
    """The people of the demo city: each role's demo account (or, on a database seeded otherwise, the role's first
    active user), and the first handler of each department; None while a role has nobody."""
    from core.models import User

    names = {role: username for username, role, _name in ROLE_ACCOUNTS}
    people = [
        _account(names[role], role)
        for role in (Role.OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.SUPERVISOR, Role.COLLECTOR)
    ]
    if any(person is None for person in people):
        return None
    handlers: dict[int, object] = {}
    for user in User.objects.filter(role=Role.HANDLER, is_active=True, department__isnull=False).order_by("pk"):
        handlers.setdefault(user.department_id, user)
    return DemoCast(*people, handlers=handlers)
