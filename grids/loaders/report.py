"""The row-numbered report every import returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row of the file as a person sees it (spreadsheet row, CSV line, GeoJSON feature number)
    field: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ImportReport:
    kind: str  # "grids" or "components"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    written: bool = False
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, field_name: str, message: str) -> None:
        self.errors.append(RowError(row, field_name, str(message)))

    @property
    def sorted_errors(self) -> list[RowError]:
        """Errors in file order (the checks find them in different passes)."""
        return sorted(self.errors, key=lambda e: (e.row, e.field))

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
        lines += [str(e) for e in self.sorted_errors]
        return "\n".join(lines)

    def as_list(self) -> list[dict[str, object]]:
        """The errors as rows (row, field, message), for an API answer or a spreadsheet of problems."""
        return [{"row": e.row, "field": e.field, "message": e.message} for e in self.sorted_errors]
