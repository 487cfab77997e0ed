"""Loading the taxonomy: the shipped catalogues, then default conditions for every minor class that has none,
then the mappings. Only what is missing is added, so an administrator's edits survive every reload; migrate (and
every test-database flush) calls ``ensure_taxonomy``."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from grids.taxonomy.cache import invalidate_taxonomy_cache
from grids.taxonomy.catalogues import CATALOGUES, CJT_2007, GBT_2026, Catalogue, read_catalogue
from grids.taxonomy.conditions import CONDITION_RULES, ConditionRule, after_photo_required, conditions_for, subject_of
from grids.taxonomy.mappings import mapping_pairs


def load_catalogue(catalogue: Catalogue, using: str = "default") -> dict[str, int]:
    """Add the standard, major and minor classes of one catalogue that are not there yet; edits are left alone."""
    from grids.models import ClassificationStandard, MajorClass, MinorClass

    rows = read_catalogue(catalogue.path)
    added = {"standards": 0, "major_classes": 0, "minor_classes": 0}
    standard = ClassificationStandard.objects.using(using).filter(code=catalogue.standard).first()
    if standard is None:
        has_default = ClassificationStandard.objects.using(using).filter(is_default=True).exists()
        standard = ClassificationStandard.objects.using(using).create(
            code=catalogue.standard,
            name=catalogue.name,
            is_default=catalogue.is_default and not has_default,
            is_local=catalogue.is_local,
        )
        added["standards"] = 1
    majors = {(m.kind, m.code): m for m in MajorClass.objects.using(using).filter(standard=standard)}
    new_majors: dict[tuple[str, str], MajorClass] = {}
    for row in rows:
        key = (row.kind, row.major_code)
        if key not in majors and key not in new_majors:
            new_majors[key] = MajorClass(standard=standard, kind=row.kind, code=row.major_code, name=row.major_name)
    MajorClass.objects.using(using).bulk_create(new_majors.values())
    majors.update(new_majors)
    existing = set(MinorClass.objects.using(using).filter(standard=standard).values_list("kind", "code"))
    new_minors = [
        MinorClass(standard=standard, major=majors[(r.kind, r.major_code)], kind=r.kind, code=r.code, name=r.name)
        for r in rows
        if (r.kind, r.code) not in existing
    ]
    MinorClass.objects.using(using).bulk_create(new_minors)
    added["major_classes"], added["minor_classes"] = len(new_majors), len(new_minors)
    return added


def seed_default_conditions(using: str = "default", rules: Sequence[ConditionRule] = CONDITION_RULES) -> int:
    """Give every minor class without any filing condition its default ones; classes an administrator has already
    given conditions (or whose defaults were edited) are not touched."""
    from grids.models import FilingCondition, MinorClass

    bare = MinorClass.objects.using(using).filter(conditions__isnull=True).select_related("major")
    new = []
    for minor in bare:
        subject = subject_of(minor.name, minor.major.name)
        for index, template in enumerate(conditions_for(minor.name, minor.major.name, minor.kind, rules), start=1):
            closing = template.closing.format(subject=subject)[:300]
            new.append(
                FilingCondition(
                    minor_class=minor,
                    code=f"{index:02d}",
                    description=template.description.format(subject=subject)[:300],
                    limit_value=template.value,
                    limit_unit=template.unit,
                    closing_condition=closing,
                    urgency=template.urgency,
                    requires_after_photo=after_photo_required(minor.kind, closing),
                )
            )
    FilingCondition.objects.using(using).bulk_create(new)
    return len(new)


def seed_mappings(legacy_code: str = CJT_2007, current_code: str = GBT_2026, using: str = "default") -> int:
    """Add the legacy → current class mappings that are missing."""
    from grids.models import ClassMapping, MinorClass

    classes = MinorClass.objects.using(using).filter(standard__code__in=[legacy_code, current_code])
    legacy: list[MinorClass] = []
    current: list[MinorClass] = []
    for minor in classes.select_related("standard"):
        (legacy if minor.standard.code == legacy_code else current).append(minor)
    existing = set(ClassMapping.objects.using(using).values_list("source_id", "target_id"))
    new = [
        ClassMapping(source_id=src, target_id=dst, note=note)
        for src, dst, note in mapping_pairs(legacy, current)
        if (src, dst) not in existing
    ]
    ClassMapping.objects.using(using).bulk_create(new)
    return len(new)


def load_taxonomy(catalogues: Sequence[Catalogue] = CATALOGUES, using: str = "default") -> dict[str, int]:
    """Load the shipped catalogues, default conditions and mappings; idempotent. Returns what was added."""
    added = {"standards": 0, "major_classes": 0, "minor_classes": 0, "conditions": 0, "mappings": 0}
    with transaction.atomic(using=using):
        for catalogue in catalogues:
            for key, count in load_catalogue(catalogue, using).items():
                added[key] += count
        added["conditions"] = seed_default_conditions(using)
        added["mappings"] = seed_mappings(using=using)
    if any(added.values()):
        invalidate_taxonomy_cache()
    return added


def ensure_taxonomy(using: str = "default") -> None:
    """After migrate (and every test-database flush): load the catalogue if the class table is empty."""
    from grids.models import MinorClass

    if not MinorClass.objects.using(using).exists():
        load_taxonomy(using=using)
