"""The case table (``cases_case``) becomes partitioned by the year of its id (core/partitions.py
``IdYearPartitions``), and its unique keys move to ``cases_casekey``.

1. ``cases_casekey`` (case id, case number, client UUID), unique across every year, filled from the existing cases
   and kept by triggers: one statement-level trigger per INSERT into the case table (a batch of 500 reports writes
   its 500 keys in one INSERT … SELECT from the transition table), one row trigger when a number or UUID changes.
2. The case table's own unique constraints go (a partitioned table's unique index must contain its partition key);
   look-ups by number or UUID go through ``cases_casekey`` (no foreign-key constraint: the database writes its rows
   from the inserted cases, and a check into the partitioned table per report is what batch intake would pay).
3. The table is rebuilt partitioned by RANGE (id): a partition per year whose ids are ``year × 10¹⁰ + serial``
   (this year's and next year's), a DEFAULT partition holding the ids from before (below 10¹⁰), every index,
   foreign key and trigger carried over, and the twelve foreign keys of other tables to ``cases_case(id)``
   dropped and made again against the new table: its primary key is still (id). New ids come from
   ``year × 10¹⁰ + nextval('cases_case_id_seq')``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.partitions import IdYearPartitions, convert, unconvert

TABLE = "cases_case"
PARTITIONS = IdYearPartitions(TABLE, "id")

KEY_TRIGGERS = """
INSERT INTO cases_casekey (case_id, case_no, client_uuid) SELECT id, case_no, client_uuid FROM cases_case;

CREATE FUNCTION cases_case_keys_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- ON CONFLICT (case_id): a row moved between partitions (core.partitions ensure) already has its key; a
    -- repeated case number or client UUID of another case still fails the statement.
    INSERT INTO cases_casekey (case_id, case_no, client_uuid)
    SELECT id, case_no, client_uuid FROM new_cases ON CONFLICT (case_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION cases_case_keys_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cases_casekey SET case_no = NEW.case_no, client_uuid = NEW.client_uuid WHERE case_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER cases_case_keys_insert AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_cases FOR EACH STATEMENT EXECUTE FUNCTION cases_case_keys_insert();

CREATE TRIGGER cases_case_keys_update AFTER UPDATE OF case_no, client_uuid ON cases_case FOR EACH ROW
    WHEN (OLD.case_no IS DISTINCT FROM NEW.case_no OR OLD.client_uuid IS DISTINCT FROM NEW.client_uuid)
    EXECUTE FUNCTION cases_case_keys_update();
"""

DROP_KEY_TRIGGERS = """
DROP TRIGGER IF EXISTS cases_case_keys_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_case_keys_update ON cases_case;
DROP FUNCTION IF EXISTS cases_case_keys_insert();
DROP FUNCTION IF EXISTS cases_case_keys_update();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_fewer_case_indexes"),
        ("core", "0010_export_jobs"),
        ("grids", "0007_patrol_tracks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseKey",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        db_constraint=False,
                        primary_key=True,
                        related_name="key",
                        serialize=False,
                        to="cases.case",
                        verbose_name="case",
                    ),
                ),
                ("case_no", models.CharField(max_length=20, verbose_name="case number")),
                ("client_uuid", models.UUIDField(blank=True, null=True, unique=True, verbose_name="client UUID")),
            ],
            options={
                "verbose_name": "case key",
                "verbose_name_plural": "case keys",
            },
        ),
        migrations.AddConstraint(
            model_name="casekey",
            constraint=models.UniqueConstraint(fields=("case_no",), name="casekey_case_no_unique"),
        ),
        migrations.RunSQL(KEY_TRIGGERS, DROP_KEY_TRIGGERS),
        migrations.RemoveConstraint(
            model_name="case",
            name="case_no_unique",
        ),
        migrations.AlterField(
            model_name="case",
            name="client_uuid",
            field=models.UUIDField(blank=True, null=True, verbose_name="client UUID"),
        ),
        migrations.RunPython(
            convert(TABLE, PARTITIONS, ["id"], sequence="id"),
            unconvert(TABLE, ["id"], sequence="id"),
        ),
    ]
