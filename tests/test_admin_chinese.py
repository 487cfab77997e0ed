"""The whole admin speaks Chinese to an administrator: every changelist (filter titles, column headers, action names)
and one change form per model (field labels, fieldset and inline headings) show no English word of our own making.

The city comes from the demo seed at a small scale, so most models have a row to open; a model without one is
checked on its add form."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

# Proper nouns, codes and units that stay as they are in a Chinese page.
ALLOWED = {
    "api",
    "url",
    "gb",
    "cj",
    "id",
    "ip",
    "json",
    "csv",
    "xlsx",
    "excel",
    "wkt",
    "led",
    "gps",
    "sms",
    "http",
    "get",
    "post",
    "https",
    "utf",
    "gbk",
    "celery",
    "redis",
    "postgresql",
    "axes",
    "django",
    "control",  # keys named in Django's own help: 按住 Control 键或 Mac 上的 Command 键
    "mac",
    "command",
}
# A filter choice that is a path, a dotted handler name or axes' "<unknown>" is data, not a label.
CODE = re.compile(r"^(/\S*|[a-z_]+(\.[a-z_]+)+|<unknown>)$")


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()


def changelist_labels(body: str) -> dict[str, list[str]]:
    filters = re.search(r'<div id="changelist-filter".*?</nav>|<nav id="changelist-filter".*?</nav>', body, re.S)
    filter_html = filters.group(0) if filters else ""
    filter_titles = re.findall(r"<summary>(.*?)</summary>|<h3>(.*?)</h3>", filter_html, re.S)
    filter_choices = re.findall(r"<li[^>]*>\s*<a [^>]*>(.*?)</a>", filter_html, re.S)
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', body, re.S)
    headers = re.findall(r'<th scope="col"[^>]*>.*?<div class="text">(.*?)</div>', body, re.S)
    actions = re.search(r'<select name="action"[^>]*>(.*?)</select>', body, re.S)
    action_names = re.findall(r"<option[^>]*>(.*?)</option>", actions.group(1), re.S) if actions else []
    return {
        "filter": [_text(a or b) for a, b in filter_titles],
        "column": [_text(h) for h in headers],
        "action": [_text(a) for a in action_names],
        "filter choice": [_text(c) for c in filter_choices],
        "tool": [_text(t) for t in re.findall(r"<a [^>]*>(.*?)</a>", tools.group(1), re.S)] if tools else [],
    }


def change_form_labels(body: str) -> dict[str, list[str]]:
    form = body.split('<div id="content-main">', 1)[-1]
    return {
        "label": [_text(x) for x in re.findall(r"<label[^>]*>(.*?)</label>", form, re.S)],
        "heading": [_text(x) for x in re.findall(r"<h2[^>]*>(.*?)</h2>", form, re.S)],
        "column": [_text(x) for x in re.findall(r'<th class="column-[^"]*"[^>]*>(.*?)</th>', form, re.S)],
        "help": [_text(x) for x in re.findall(r'<div class="help"[^>]*>(.*?)</div>', form, re.S)],
    }


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in ALLOWED]


def findings(where: str, labels: dict[str, list[str]]) -> list[str]:
    return [
        f"{where} {kind}: {text!r}"
        for kind, texts in labels.items()
        for text in texts
        if english_words(text) and not (kind == "filter choice" and CODE.match(text))
    ]


@pytest.fixture
def administrator(make_user):
    from core.choices import Role

    return make_user("chief-admin", Role.ADMIN, is_staff=True, is_superuser=True, language="zh-hans")


def rows_the_seed_leaves_out(user) -> None:
    """A row in each log the demo does not fill, so their columns and forms are seen too."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.utils import timezone

    from core.models import CalendarGap, HealthCheck, ImportJob
    from core.tokens import issue
    from hotlines.models import ChannelEvent

    now = timezone.now()
    visit = {"user_agent": "Mozilla/5.0", "ip_address": "127.0.0.1", "username": "x", "http_accept": "*/*"}
    AccessAttempt.objects.create(**visit, path_info="/login/", get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**visit, path_info="/login/", locked_out=False)
    HealthCheck.objects.create(due_at=now, database_ok=True, redis_ok=True, celery_ok=False, healthy=False)
    CalendarGap.objects.get_or_create(year=2099)
    ImportJob.objects.create(kind="components", file="imports/x.csv", filename="x.csv", created_by=user)
    ChannelEvent.objects.create(record_kind="opinion", record_id=1, action="replied", actor=user, at=now)
    issue(user, "test-device")


def test_no_english_in_the_chinese_admin(client, administrator):
    call_command("seed_city", scale=0.002, seed=5, stdout=io.StringIO())
    rows_the_seed_leaves_out(administrator)
    client.force_login(administrator)
    found: list[str] = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200, opts.label
        found += findings(f"{opts.label} changelist", changelist_labels(changelist.content.decode()))
        obj = model_admin.get_queryset(changelist.wsgi_request).order_by("pk").first()
        try:
            if obj is not None:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            else:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        except NoReverseMatch:
            continue
        form = client.get(url)
        if form.status_code == 403:  # an admin that allows no adding (logs, audit entries)
            continue
        assert form.status_code == 200, (opts.label, url, form.status_code)
        found += findings(f"{opts.label} form", change_form_labels(form.content.decode()))
    assert not found, "\n".join(found)


def test_stored_codes_show_by_their_labels(client, administrator):
    """Columns of fields that keep a code without model choices show the code's label (the sweep above reads
    headers, not cells)."""
    from evaluation.models import ScoreWeight

    rows_the_seed_leaves_out(administrator)
    ScoreWeight.objects.get_or_create(scheme="department", indicator="disposal_rate", defaults={"weight": 30})
    client.force_login(administrator)
    pages = {
        "hotlines_channelevent": ["网络问政", "已答复"],
        "core_importjob": ["部件"],
        "evaluation_scoreweight": ["部门", "处置率"],
    }
    for name, labels in pages.items():
        body = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        cells = " ".join(_text(c) for c in re.findall(r'<t[dh] class="field-[^"]*"[^>]*>(.*?)</t[dh]>', body, re.S))
        for label in labels:
            assert label in cells, (name, label, cells)
        assert not re.search(r"\b(opinion|replied|components|department|disposal_rate)\b", cells), cells
