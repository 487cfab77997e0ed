"""Which permissions each role's group carries.

Permissions are named as strings ("app_label.codename") so this bottom layer does not import the apps above it;
each app declares its own custom permissions on its models and lists them here for the roles that need them.
A permission that does not exist yet (an app not migrated) is skipped.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from core.choices import Role

BASE_DATA = [
    "core.view_department",
    "core.view_calendarday",
    "core.view_workschedule",
    "grids.view_region",
    "grids.view_unitgrid",
    "grids.view_dutygrid",
    "grids.view_component",
    "grids.view_classificationstandard",
    "grids.view_majorclass",
    "grids.view_minorclass",
    "grids.view_filingcondition",
]
CENTRE_STAFF = [*BASE_DATA, "cases.view_case", "cases.view_all_cases", "core.view_notification"]

# Hotline work orders (hotlines app): the centre sees all orders, a department only its own (hotlines.querysets).
HOTLINE_CENTRE = ["hotlines.view_workorder", "hotlines.view_all_workorders", "hotlines.view_hotline"]
HOTLINE_DESK = [  # 12319 operators and shift leaders: receive, transfer, convert, return visits, full phone numbers
    *HOTLINE_CENTRE,
    "hotlines.receive_workorder",
    "hotlines.transfer_workorder",
    "hotlines.visit_workorder",
    "hotlines.view_caller_phone",
]
# The other intake channels' records: online opinion, inspections, chat-group reports, video.
HOTLINE_CHANNELS = [
    f"hotlines.{verb}_{model}"
    for model in ("onlineopinion", "inspection", "inspectionproblem", "rectificationaction", "chatgroupreport")
    for verb in ("view", "add", "change")
] + ["hotlines.view_camera", "hotlines.view_videocase", "hotlines.add_videocase"]
# Collectors' tracks and presence (grids/patrol): the shift leaders watch them live, supervisors read them.
PATROL_WATCH = ["grids.view_patrol", "grids.view_patrolshift", "grids.view_patrolalert"]
BULLETINS = ["evaluation.view_bulletin"]
SELF_EVALUATION = ["evaluation.view_selfevaluation"]
# 热点分析 and the command big screen count every case of the city: centre staff and supervisors only.
OPERATIONAL_PICTURE = ["evaluation.view_hotspots", "evaluation.view_big_screen"]
# Supervision of the collectors (督察, training) and of their company (月度考核): evaluation/supervision.
SUPERVISION = [
    "evaluation.inspect_collectors",
    "evaluation.view_inspectionrecord",
    "evaluation.view_training",
    "evaluation.add_training",
    "evaluation.view_collectorprofile",
]

# Duty rosters (值班): who is told that a case's stage ran late (cases.tasks.mark_overdue), one permission per timed
# stage. They say who is on watch, not what one may do (a shift leader may also accept, yet acceptance is the
# operators' watch), so they are granted by name and left out of the administrator's "*" (NOT_IN_EVERYTHING): an
# administrator is not paged for every late case of the city.
WATCH_OVERDUE = {
    stage: f"cases.watch_{stage}_overdue"
    for stage in ("accept", "verify", "register", "dispatch", "dispose", "check", "close")
}
NOT_IN_EVERYTHING = frozenset(WATCH_OVERDUE.values())

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COLLECTOR: [*BASE_DATA, "cases.view_case", "cases.report_case", "cases.verify_case", "grids.report_track"],
    Role.OPERATOR: [
        *CENTRE_STAFF,
        "cases.report_case",
        "cases.accept_case",
        *HOTLINE_DESK,
        *HOTLINE_CHANNELS,
        *OPERATIONAL_PICTURE,
        *(WATCH_OVERDUE[stage] for stage in ("accept", "verify", "check")),
    ],
    Role.SHIFT_LEADER: [
        *CENTRE_STAFF,
        "cases.accept_case",
        "cases.register_case",
        "cases.approve_cancel_case",
        *HOTLINE_DESK,
        *HOTLINE_CHANNELS,
        "hotlines.urge_workorder",
        *PATROL_WATCH,
        "grids.receive_patrol_alerts",
        *OPERATIONAL_PICTURE,
        *SUPERVISION,
        *(WATCH_OVERDUE[stage] for stage in ("register", "close")),
    ],
    Role.DISPATCHER: [
        *CENTRE_STAFF,
        "cases.dispatch_case",
        "cases.urge_case",
        *HOTLINE_CENTRE,
        "hotlines.transfer_workorder",
        "hotlines.urge_workorder",
        *OPERATIONAL_PICTURE,
        *(WATCH_OVERDUE[stage] for stage in ("dispatch", "dispose")),
    ],
    # A department handler: their department's cases and orders (sign, dispose/handle, reply, send back, ask).
    Role.HANDLER: [
        *BASE_DATA,
        "cases.view_case",
        "cases.dispose_case",
        "hotlines.view_workorder",
        "hotlines.handle_workorder",
    ],
    Role.SUPERVISOR: [
        *CENTRE_STAFF,
        "cases.urge_case",
        *PATROL_WATCH,
        "core.view_healthcheck",
        *HOTLINE_CENTRE,
        "hotlines.urge_workorder",
        "hotlines.view_onlineopinion",
        *BULLETINS,
        "evaluation.publish_bulletin",
        *SELF_EVALUATION,
        "core.view_auditentry",  # the security audit log (安全审计日志), read only
        *OPERATIONAL_PICTURE,
        *SUPERVISION,
        "evaluation.view_assessment",
        "evaluation.assess_company",
    ],
    Role.FINANCE: [
        *BASE_DATA,
        "core.view_healthcheck",
        *BULLETINS,
        *SELF_EVALUATION,
        "evaluation.change_selfevaluation",
    ],
    Role.ADMIN: ["*"],  # every permission of every app but NOT_IN_EVERYTHING, the audit log's view_auditentry included
    # The 12345 platform's system account: pushes orders and pulls replies and satisfaction back, nothing else.
    Role.HOTLINE_PLATFORM: [*HOTLINE_CENTRE, "hotlines.receive_workorder", "hotlines.view_caller_phone"],
}


def sync_role_groups() -> None:
    """Create one group per role and give it exactly the permissions listed above (idempotent)."""
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(role))
        if names == ["*"]:
            wanted = [perm for name, perm in all_perms.items() if name not in NOT_IN_EVERYTHING]
        else:
            wanted = [all_perms[n] for n in names if n in all_perms]
        group.permissions.set(wanted)
