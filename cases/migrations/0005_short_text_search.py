"""One- and two-character search: a stored column of every character and character pair of the case number,
description and address, with a GIN index (``cases.filtersets`` uses it for terms too short for trigrams)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

# IMMUTABLE (a generated column needs it): the same text always gives the same terms. Whitespace is no term;
# Latin letters are lower-cased, as the search lower-cases what it looks for.
SHORT_GRAMS = r"""
CREATE OR REPLACE FUNCTION cases_short_grams(case_no text, description text, address text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT term)), ''::tsvector)
    FROM (SELECT lower(coalesce(case_no, '') || ' ' || coalesce(description, '') || ' ' || coalesce(address, ''))
          AS t) AS source,
         LATERAL (
             SELECT substr(t, i, 1) AS term FROM generate_series(1, length(t)) AS i
             UNION ALL
             SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i
         ) AS terms
    WHERE term !~ '\s'
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_list_indexes"),
        ("core", "0003_hotline_platform_role"),
        ("grids", "0002_component_mercator"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(SHORT_GRAMS, "DROP FUNCTION IF EXISTS cases_short_grams(text, text, text)"),
        migrations.AddField(
            model_name="case",
            name="short_grams",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("case_no"), models.F("description"), models.F("address"), function="cases_short_grams"
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
                verbose_name="one- and two-character search terms",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(fields=["short_grams"], name="case_short_grams"),
        ),
    ]
