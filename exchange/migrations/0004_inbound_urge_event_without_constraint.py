"""The urge event an inbound 督办 names keeps no database foreign key: the case timeline becomes partitioned by year
(cases 0012), and a partitioned table cannot be referenced by its id alone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0003_peer_delivery_lease"),
    ]
    run_before = [("cases", "0013_timeline_partitioned_by_year")]

    operations = [
        migrations.AlterField(
            model_name="inbounditem",
            name="case_event",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.caseevent",
                verbose_name="urge event",
            ),
        ),
    ]
