"""Patrol shifts, presence alerts and the track table, partitioned by day (grids/patrol/models.py)."""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0006_unit_grid_mercator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackPoint",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "collector", "recorded_at", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                ("received_at", models.DateTimeField(verbose_name="received at")),
                ("location", django.contrib.gis.db.models.fields.PointField(srid=4326, verbose_name="location")),
                ("accuracy", models.FloatField(null=True, verbose_name="accuracy (m)")),
            ],
            options={
                "verbose_name": "track point",
                "verbose_name_plural": "track points",
                "db_table": "grids_trackpoint",
                "permissions": [
                    ("report_track", "Can send own patrol track"),
                    ("view_patrol", "Can see collectors' tracks and presence"),
                    ("receive_patrol_alerts", "Receives presence alerts"),
                ],
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="PatrolShift",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="name")),
                ("starts", models.TimeField(verbose_name="starts")),
                ("ends", models.TimeField(verbose_name="ends")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "patrol shift",
                "verbose_name_plural": "patrol shifts",
                "ordering": ["starts", "name"],
            },
        ),
        migrations.CreateModel(
            name="PatrolAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("left_area", "Left the duty area"), ("silent", "No position received")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="since")),
                ("found_at", models.DateTimeField(verbose_name="found at")),
                ("ended_at", models.DateTimeField(blank=True, null=True, verbose_name="ended at")),
                (
                    "collector",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="collector",
                    ),
                ),
            ],
            options={
                "verbose_name": "presence alert",
                "verbose_name_plural": "presence alerts",
                "ordering": ["-found_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ended_at__isnull", True)),
                        fields=("collector", "kind"),
                        name="patrolalert_one_open",
                    )
                ],
            },
        ),
        migrations.RunSQL(
            sql="""
            CREATE TABLE grids_trackpoint (
                collector_id bigint NOT NULL,
                recorded_at timestamp with time zone NOT NULL,
                received_at timestamp with time zone NOT NULL,
                location geometry(Point, 4326) NOT NULL,
                accuracy double precision NULL,
                PRIMARY KEY (collector_id, recorded_at)
            ) PARTITION BY RANGE (recorded_at);
            CREATE INDEX grids_trackpoint_day ON grids_trackpoint (recorded_at);
        """,
            reverse_sql="DROP TABLE grids_trackpoint CASCADE;",
        ),
    ]
