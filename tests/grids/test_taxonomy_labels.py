"""The taxonomy's admin filters speak Chinese: their titles come from the models' field names (按 standard, MINOR
CLASS were the untranslated defaults)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["majorclass", "minorclass", "classmapping", "filingcondition"])
def test_admin_filter_titles_and_columns_are_chinese(client, personas, model):
    client.force_login(personas["admin"])
    body = client.get(reverse(f"admin:grids_{model}_changelist")).content.decode()
    filters = re.findall(r"<summary>\s*(.*?)\s*</summary>|<h3>\s*(.*?)\s*</h3>", body, flags=re.S)
    titles = [a or b for a, b in filters]
    assert titles
    for title in titles:
        assert not re.search(r"\b(standard|major|minor|source|target)\b", title, flags=re.I), title
    headers = re.findall(r'<th scope="col"[^>]*>.*?<a [^>]*>(.*?)</a>', body, flags=re.S)
    assert not [h for h in headers if re.fullmatch(r"[A-Za-z ]+", h.strip())], headers
