"""Who handled each stage, kept on the case (``cases.choices.STAGE_ACTORS``), filled for the existing cases from
their timelines (``cases.timeline.stage_actors_sql`` as of this migration): the last actor of each stage's
actions. The person rollups read these columns instead of grouping the whole timeline."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL_FROM_TIMELINE = (
    "UPDATE cases_case c SET verifier_id = a.verifier_id, acceptor_id = a.acceptor_id, registrar_id = "
    "a.registrar_id, dispatcher_id = a.dispatcher_id, checker_id = a.checker_id, closer_id = a.closer_id"
    " FROM (SELECT e.case_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('verify')))[1] AS "
    "verifier_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('accept', "
    "'reject')))[1] AS acceptor_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('register', "
    "'refuse')))[1] AS registrar_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('dispatch')))[1] AS"
    " dispatcher_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('check')))[1] AS "
    "checker_id,"
    " (array_agg(e.actor_id ORDER BY e.at DESC, e.id DESC) FILTER (WHERE e.action IN ('close')))[1] AS "
    "closer_id"
    " FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id"
    " WHERE e.action IN ('accept', 'check', 'close', 'dispatch', 'refuse', 'register', 'reject', "
    "'verify') AND true"
    " GROUP BY e.case_id) a WHERE c.id = a.case_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_extended_deadlines"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="acceptor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="accepted by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="checker",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="checked by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="closer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="closed by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="dispatcher",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="dispatched by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="registrar",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="registered by",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="verifier",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="verified by",
            ),
        ),
        migrations.RunSQL(FILL_FROM_TIMELINE, migrations.RunSQL.noop),
    ]
