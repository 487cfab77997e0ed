"""The default items of the collection company's monthly assessment (weights add up to 100; the admin changes
them). Platform items score their weight at or beyond the target; manual items are scored by hand."""

from decimal import Decimal

from django.db import migrations

DEFAULT_ITEMS = [
    # code, name, source, weight, target, lower is better
    ("valid_reports", "有效上报率", "valid_report_rate", 20, 95, False),
    ("missed_reports", "漏报率", "missed_report_rate", 20, 5, True),
    ("presence", "在岗率", "presence_rate", 20, 90, False),
    ("verify_timeliness", "核实及时率", "verify_timeliness", 10, 95, False),
    ("check_timeliness", "核查及时率", "check_timeliness", 10, 95, False),
    ("dress", "着装规范", "manual", 10, None, False),
    ("training", "培训考核", "manual", 10, None, False),
]


def add_items(apps, schema_editor):
    AssessmentItem = apps.get_model("evaluation", "AssessmentItem")
    for order, (code, name, source, weight, target, lower) in enumerate(DEFAULT_ITEMS, start=1):
        AssessmentItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "source": source,
                "weight": Decimal(weight),
                "target": None if target is None else Decimal(target),
                "lower_is_better": lower,
                "order": order,
            },
        )


def remove_items(apps, schema_editor):
    apps.get_model("evaluation", "AssessmentItem").objects.filter(code__in=[i[0] for i in DEFAULT_ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0008_supervision_inspections_training_assessment")]

    operations = [migrations.RunPython(add_items, remove_items)]
