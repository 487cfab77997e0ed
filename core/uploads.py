"""Uploaded photos of every app (case photos, chat screenshots, video snapshots): checked by their content (JPEG,
PNG, WebP), not their names; at most 6 per submission, 10 MB each.

Everything is checked before anything is written, so a rejected submission leaves no file behind. Files are streamed
to storage chunk by chunk (large uploads arrive as temporary files, never whole in memory); storage is not
transactional, so whoever writes files inside a transaction calls ``remove_files`` when that transaction fails.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024
# Magic bytes; WebP is RIFF <4-byte length> WEBP, checked apart.
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
    """(content type, extension) of an image recognised by its first bytes, or None."""
    for signature, content_type, extension in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photos(files, field: str = "photos") -> list[CheckedPhoto]:
    """Validate every uploaded file (count, size, content) and hash it; raises ValidationError naming *field* and
    the offending file. Reads each file once, in chunks."""
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationError(
            {field: _("At most %(max)d photos, got %(count)d.") % {"max": MAX_PHOTOS, "count": len(files)}}
        )
    checked = []
    for upload in files:
        name = getattr(upload, "name", None) or "photo"
        size = getattr(upload, "size", None)
        if size is None or size > MAX_BYTES:
            raise ValidationError({field: _("%(name)s is larger than 10 MB.") % {"name": name}})
        upload.seek(0)
        kind = sniff(upload.read(16))
        if kind is None:
            raise ValidationError({field: _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name}})
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedPhoto(upload, kind[0], kind[1], size, digest.hexdigest()))
    return checked


def remove_files(rows) -> None:
    """Delete the stored files (field ``image``) of rows whose transaction was rolled back."""
    for row in rows:
        if row.image and row.image.storage.exists(row.image.name):
            row.image.storage.delete(row.image.name)
