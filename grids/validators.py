"""Validators of base-map codes (部件标识码, 单元网格编码), for models, forms and the importers of other layers.

``validate_component_identifier(identifier, class_code, known_district_codes=None)`` checks a component identifier
against its minor class: GB/T 47678.5-2026 identifiers have 17 digits (6 county + 5 class + 6 serial), older
CJ/T 214-2007 ones 16 digits (6 county + 4 class + 6 serial). ``validate_grid_code(code, community_code)`` checks a
unit grid code: 15 digits starting with its community's 12-digit code.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# identifier length → length of its class part (the county part is 6 digits and the serial 6 in both generations)
_CLASS_LENGTH = {17: 5, 16: 4}
COUNTY_LENGTH = 6
SERIAL_LENGTH = 6
GRID_CODE_LENGTH = 15


@dataclass(frozen=True)
class ComponentIdentifier:
    """The three parts of a component identifier."""

    county_code: str
    class_code: str
    serial: str


def split_component_identifier(identifier: str) -> ComponentIdentifier:
    """Split a 16- or 17-digit identifier into county, class and serial; ``ValidationError`` if it has neither."""
    value = (identifier or "").strip()
    class_length = _CLASS_LENGTH.get(len(value))
    if class_length is None or not value.isdigit():
        raise ValidationError(
            _("A component identifier has 17 digits (or 16 in CJ/T 214-2007 data), not %(value)s."),
            code="identifier_format",
            params={"value": value},
        )
    end = COUNTY_LENGTH + class_length
    return ComponentIdentifier(value[:COUNTY_LENGTH], value[COUNTY_LENGTH:end], value[end:])


def known_district_codes() -> set[str]:
    """Codes of the districts/counties in the region table (one query; importers should call it once)."""
    from grids.choices import RegionLevel
    from grids.models import Region

    return set(Region.objects.filter(level=RegionLevel.DISTRICT).values_list("code", flat=True))


def validate_component_identifier(
    identifier: str, class_code: str, district_codes: Collection[str] | None = None
) -> ComponentIdentifier:
    """Raise ``ValidationError`` unless ``identifier`` is well formed, its class part is ``class_code`` (the
    component's minor class) and its county part is a known district code. Pass ``district_codes`` (from
    ``known_district_codes()``) when checking many rows, to avoid a query per row."""
    parts = split_component_identifier(identifier)
    if parts.class_code != class_code:
        raise ValidationError(
            _("The class part %(part)s of identifier %(value)s does not match the component's class %(code)s."),
            code="identifier_class",
            params={"part": parts.class_code, "value": identifier, "code": class_code},
        )
    codes = known_district_codes() if district_codes is None else district_codes
    if parts.county_code not in codes:
        raise ValidationError(
            _("The county part %(part)s of identifier %(value)s is not a known district code."),
            code="identifier_county",
            params={"part": parts.county_code, "value": identifier},
        )
    return parts


def validate_grid_code(code: str, community_code: str) -> None:
    """Raise ``ValidationError`` unless ``code`` has 15 digits and starts with the 12-digit ``community_code``."""
    value = (code or "").strip()
    if len(value) != GRID_CODE_LENGTH or not value.isdigit():
        raise ValidationError(
            _("A unit grid code has 15 digits, not %(value)s."), code="grid_code_format", params={"value": value}
        )
    if not value.startswith(community_code):
        raise ValidationError(
            _("The grid code %(value)s must start with its community's code %(code)s."),
            code="grid_code_community",
            params={"value": value, "code": community_code},
        )
