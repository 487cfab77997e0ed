"""Indexes for case lists at a million cases: the open-case partial index behind the console's queue counts, and
trigram indexes (pg_trgm) for the free-text search ``q`` (LIKE or ~* on case number, description and address)."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

OPEN_STATUSES = [
    "accepted",
    "checked",
    "checking",
    "dispatched",
    "disposed",
    "disposing",
    "registered",
    "reported",
    "return_requested",
    "self_disposed",
    "suspended",
    "verifying",
]


def trigram_index(column: str, name: str):
    return django.contrib.postgres.indexes.GinIndex(fields=[column], name=name, opclasses=["gin_trgm_ops"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_workflow_dispatch_rules"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", OPEN_STATUSES)),
                fields=["status", "is_overdue"],
                name="case_open_status_overdue",
            ),
        ),
        migrations.AddIndex(model_name="case", index=trigram_index("case_no", "case_no_trgm")),
        migrations.AddIndex(model_name="case", index=trigram_index("description", "case_description_trgm")),
        migrations.AddIndex(model_name="case", index=trigram_index("address", "case_address_trgm")),
    ]
