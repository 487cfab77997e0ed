"""One- and two-character search: a stored column of every character and character pair of the description and
address, with a GIN index (``cases.filtersets`` uses it for terms too short for trigrams; case numbers, all digits,
are searched from three characters on)."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

# IMMUTABLE (a generated column needs it): the same text always gives the same terms. Whitespace is no term;
# Latin letters are lower-cased, as the search lower-cases what it looks for.
SHORT_GRAMS = r"""
CREATE OR REPLACE FUNCTION cases_short_grams(description text, address text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    t text := lower(coalesce(description, '') || ' ' || coalesce(address, ''));
    terms text[] := '{}';
    c text;
    prev text := ' ';
BEGIN
    -- One pass over the characters (array_append grows the array in place): about 25 µs for a usual case.
    FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
        IF c !~ '\s' THEN
            terms := array_append(terms, c);
            IF prev !~ '\s' THEN
                terms := array_append(terms, prev || c);
            END IF;
        END IF;
        prev := c;
    END LOOP;
    RETURN array_to_tsvector(terms);  -- duplicates fold into one term
END
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
        migrations.RunSQL(SHORT_GRAMS, "DROP FUNCTION IF EXISTS cases_short_grams(text, text)"),
        migrations.AddField(
            model_name="case",
            name="short_grams",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(models.F("description"), models.F("address"), function="cases_short_grams"),
                output_field=django.contrib.postgres.search.SearchVectorField(),
                verbose_name="one- and two-character search terms",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(fields=["short_grams"], name="case_short_grams"),
        ),
    ]
