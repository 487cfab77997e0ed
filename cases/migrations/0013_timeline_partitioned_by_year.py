"""The case timeline (``cases_caseevent``) becomes a table partitioned by year of ``at`` (core/partitions.py).

Existing rows are copied into the partitioned table (one partition per year they cover, this year's and next year's,
and a DEFAULT partition), with every index, foreign key and the append-only trigger carried over. The primary key
becomes (id, at); the id sequence continues. The foreign key from a case photo to its event is dropped (no foreign
key can point at a partitioned table by id alone); the exchange layer drops its own before this runs.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.partitions import YearlyPartitions, convert, unconvert

TABLE = "cases_caseevent"
PARTITIONS = YearlyPartitions(TABLE, "at")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_overdue_watch_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casephoto",
            name="event",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="photos",
                to="cases.caseevent",
                verbose_name="case event",
            ),
        ),
        # The (case, at) index serves every look-up by case: the foreign key's own index goes (before the copy).
        migrations.AlterField(
            model_name="caseevent",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="cases.case",
            ),
        ),
        migrations.RunPython(
            convert(TABLE, PARTITIONS, ["id", "at"], sequence="id"),
            unconvert(TABLE, ["id"], sequence="id"),
        ),
    ]
