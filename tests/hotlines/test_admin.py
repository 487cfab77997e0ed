"""Every model of the layer has a working admin page; records written by the services are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = [
    "hotline",
    "ordertimelimit",
    "workorder",
    "onlineopinion",
    "inspection",
    "inspectionproblem",
    "rectificationaction",
    "chatgroupreport",
    "camera",
    "videocase",
]
# Orders and the other channels' records change only through their services (which write the history).
READ_ONLY = {"workorder", "onlineopinion", "inspection", "inspectionproblem", "rectificationaction"}
READ_ONLY |= {"chatgroupreport", "videocase"}


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages(client, cast, receive_order, model):
    order = receive_order()
    client.force_login(cast["admin"])
    assert client.get(reverse(f"admin:hotlines_{model}_changelist")).status_code == 200
    add = client.get(reverse(f"admin:hotlines_{model}_add"))
    assert add.status_code == (403 if model in READ_ONLY else 200)
    if model == "workorder":
        assert client.get(reverse("admin:hotlines_workorder_change", args=[order.pk])).status_code == 200
