"""Demo organisation: the departments of a district command centre, and the accounts of the centre's staff and the
departments' handlers (who they are: ``core.demo_cast``).

Called by ``manage.py seed_city``; idempotent (matches on codes and usernames, never duplicates)."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

from core.choices import DepartmentKind, Role
from core.demo_cast import DEMO_PASSWORD, HANDLER_NAME, ROLE_ACCOUNTS, handler_username
from core.models import Department, User
from core.validators import uscc_check_char

P, S = DepartmentKind.PROFESSIONAL, DepartmentKind.STREET_OFFICE
OUT, X = DepartmentKind.OUTSOURCED, DepartmentKind.OTHER

# (code, name, kind, parent code). Codes are stable: other layers' demo data refer to them.
DEPARTMENTS: list[tuple[str, str, str, str | None]] = [
    ("sanitation", "区环境卫生管理所", P, None),
    ("lighting", "区路灯管理所", P, None),
    ("municipal", "区市政设施管理所", P, None),
    ("gardens", "区园林绿化管理所", P, None),
    ("enforcement", "区城市管理综合行政执法支队", P, None),
    ("enforcement-1", "执法支队第一中队", P, "enforcement"),
    ("enforcement-2", "执法支队第二中队", P, "enforcement"),
    ("enforcement-3", "执法支队第三中队", P, "enforcement"),
    ("transport", "区交通运输委员会", P, None),
    ("construction", "区住房和城乡建设委员会", P, None),
    ("water", "区自来水有限公司", P, None),
    ("drainage", "区排水有限公司", P, None),
    ("power", "区供电公司", P, None),
    ("gas", "区燃气有限公司", P, None),
    ("telecom", "区通信基础设施管理办公室", P, None),
    ("traffic-police", "公安局交通巡逻警察支队", P, None),
    ("water-affairs", "区水利局", P, None),
    ("environment", "区生态环境局", P, None),
    ("market", "区市场监督管理局", P, None),
    ("planning", "区规划和自然资源局", P, None),
    ("st-bicheng", "璧城街道办事处", S, None),
    ("st-biquan", "璧泉街道办事处", S, None),
    ("st-qinggang", "青杠街道办事处", S, None),
    ("st-laifeng", "来凤街道办事处", S, None),
    ("st-dingjia", "丁家街道办事处", S, None),
    ("st-dalu", "大路街道办事处", S, None),
    ("st-hebian", "河边镇人民政府", S, None),
    ("collection-co", "城市管理信息采集服务公司", OUT, None),
    ("property", "区国有资产物业管理公司", X, None),
]


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "12500120" + "".join(rng.choice(alphabet) for _ in range(9))
    return first17 + uscc_check_char(first17)


@transaction.atomic
def seed_organisation(seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    created = {"departments": 0, "users": 0}
    by_code: dict[str, Department] = {}
    for code, name, kind, parent in DEPARTMENTS:
        dept, was_created = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "parent": by_code.get(parent or ""),
                "credit_code": _credit_code(rng),
            },
        )
        by_code[code] = dept
        created["departments"] += was_created
    # One hash for every demo account: they share the demo password, and hashing 36 times costs seconds.
    password_hash = make_password(DEMO_PASSWORD)
    accounts = [(u, r, n, None) for u, r, n in ROLE_ACCOUNTS]
    accounts += [
        (handler_username(i), Role.HANDLER, HANDLER_NAME.format(department=d.name), d)
        for i, d in enumerate(by_code.values(), 1)
    ]
    for username, role, full_name, dept in accounts:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, first_name=full_name, role=role, department=dept)
        user.is_superuser = role == Role.ADMIN
        user.password = password_hash
        user.save()
        created["users"] += 1
    return created
