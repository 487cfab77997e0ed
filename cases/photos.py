"""Case photos: checked by their content (JPEG, PNG, WebP), not their names; at most 6 per submission, 10 MB each.

Everything is checked before anything is written, so a rejected submission leaves no file behind."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class CheckedPhoto:
    file: File
    content_type: str
    extension: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photos(files, field: str = "photos") -> list[CheckedPhoto]:
    """Validate every uploaded file; raises ValidationError naming *field* and the offending file."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationError({field: f"At most {MAX_PHOTOS} photos, got {len(files)}."})
    checked = []
    for upload in files:
        name = getattr(upload, "name", "photo")
        size = getattr(upload, "size", None)
        if size is None or size > MAX_BYTES:
            raise ValidationError({field: f"{name} is larger than 10 MB."})
        upload.seek(0)
        kind = sniff(upload.read(16))
        if kind is None:
            raise ValidationError({field: f"{name} is not a JPEG, PNG or WebP image."})
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedPhoto(upload, kind[0], kind[1], size, digest.hexdigest()))
    return checked


def save_photos(case, photos: list[CheckedPhoto], kind: str, taken_at=None) -> list:
    """Store checked photos for *case*. If the caller's transaction fails afterwards, it calls ``remove_files``."""
    from cases.models import CasePhoto

    saved = []
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
        row.save()
        saved.append(row)
    return saved


def remove_files(rows) -> None:
    """Delete the stored files of photo rows whose transaction was rolled back (storage is not transactional)."""
    for row in rows:
        if row.image and row.image.storage.exists(row.image.name):
            row.image.storage.delete(row.image.name)
