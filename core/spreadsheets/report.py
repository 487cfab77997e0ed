"""The row-numbered report every import returns (components, grids, hotline orders; the self-evaluation workbook
reports its cells with the same ``RowError``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int | None  # 1-based row of the file as a person sees it (spreadsheet row, CSV line, GeoJSON feature
    # number); 0 or None: the file as a whole
    field: str
    message: str

    @property
    def column(self) -> str:
        return self.field

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportReport:
    kind: str  # "grids", "components", "hotline_orders"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    existing: int = 0  # already known and left as they were (hotline orders)
    skipped: int = 0
    replaced: int = 0  # removed because the file replaces them (a base-map layer delivered again)
    written: bool = False
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(RowError(row, field_name, str(message)))

    @property
    def sorted_errors(self) -> list[RowError]:
        """Errors in file order (the checks find them in different passes)."""
        return sorted(self.errors, key=lambda e: (e.row or 0, e.field))

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors}

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _(
            "%(rows)s rows read: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s skipped, %(errors)s errors."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
        }

    def as_text(self) -> str:
        lines = [self.summary()]
        if self.dry_run:
            lines.append(_("Dry run: nothing was written."))
        elif self.errors and not self.written:
            lines.append(_("Nothing was written."))
        if self.replaced:
            lines.append(_("%(count)s features that were there before were replaced.") % {"count": self.replaced})
        lines += [str(e) for e in self.sorted_errors]
        return "\n".join(lines)

    def as_list(self) -> list[dict[str, object]]:
        """The errors as rows (row, field, message), for an API answer or a spreadsheet of problems."""
        return [e.as_dict() for e in self.sorted_errors]

    def as_json(self) -> dict[str, object]:
        """The whole report as JSON for an import job's row (``from_json`` reads it back)."""
        return {
            "kind": self.kind,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "existing": self.existing,
            "skipped": self.skipped,
            "replaced": self.replaced,
            "written": self.written,
            "dry_run": self.dry_run,
            "errors": self.as_list(),
        }

    @classmethod
    def from_json(cls, data: dict) -> ImportReport:
        errors = [RowError(e["row"], e["field"], e["message"]) for e in data.get("errors", [])]
        fields = {k: v for k, v in data.items() if k != "errors"}
        return cls(**fields, errors=errors)
