"""The fact table (``evaluation_casefact``) becomes a table partitioned by year of ``day`` (core/partitions.py).

Existing rows are copied into the partitioned table (one partition per year they cover, this year's and next year's,
and a DEFAULT partition) with their indexes; the primary key becomes (case_id, day): a case's day received never
changes, and upkeep's upsert names both columns.
"""

from django.db import migrations

from core.partitions import YearlyPartitions, convert, unconvert

TABLE = "evaluation_casefact"
PARTITIONS = YearlyPartitions(TABLE, "day", is_date=True)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0012_stored_period_figures"),
    ]

    operations = [
        migrations.RunPython(convert(TABLE, PARTITIONS, ["case_id", "day"]), unconvert(TABLE, ["case_id"])),
    ]
