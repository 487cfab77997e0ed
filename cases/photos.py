"""Case photos (案件照片): storing checked uploads as ``CasePhoto`` rows. The checks themselves (content, size,
count) are ``core.uploads``, shared with the other intake channels."""

from __future__ import annotations

from datetime import datetime

from core.uploads import CheckedPhoto, remove_files


def save_photos(case, photos: list[CheckedPhoto], kind: str, taken_at: datetime | None = None) -> list:
    """Store checked photos of *case* (files first, then one INSERT for the rows). If the caller's transaction fails
    afterwards, the caller passes the returned rows to ``remove_files``."""
    from cases.models import CasePhoto

    rows = []
    try:
        for photo in photos:
            row = CasePhoto(
                case=case,
                kind=kind,
                content_type=photo.content_type,
                size=photo.size,
                sha256=photo.sha256,
                taken_at=taken_at,
            )
            row.image.save(f"{case.case_no}-{photo.sha256[:12]}.{photo.extension}", photo.file, save=False)
            rows.append(row)
        if rows:
            CasePhoto.objects.bulk_create(rows)
    except Exception:
        remove_files(rows)
        raise
    return rows
