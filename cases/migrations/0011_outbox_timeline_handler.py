"""cases/events.py became cases/timeline.py: outbox rows still waiting to announce a transition name the new
module's handler (delivered rows keep the name they ran under)."""

from django.db import migrations

OLD, NEW = "cases.events.hear_transition", "cases.timeline.hear_transition"
SQL = "UPDATE core_outboxmessage SET handler = %s WHERE handler = %s AND delivered_at IS NULL"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_public_source_and_return_visits"),
        ("core", "0005_outbox_and_health_due"),
    ]

    operations = [
        migrations.RunSQL(sql=[(SQL, [NEW, OLD])], reverse_sql=[(SQL, [OLD, NEW])]),
    ]
