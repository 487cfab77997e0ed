"""The upload field of every import page: the kit's checks run in form validation, before any view parses."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from core.spreadsheets.safety import Limits, UploadRefused, check_upload


def check_uploaded_file(upload, suffixes: tuple[str, ...], limits: dict | None = None):
    """Refuse a wrong type or a file over the limits as a form error; note the row estimate on the upload."""
    if Path(upload.name).suffix.lower() not in suffixes:
        raise forms.ValidationError(
            _("Unsupported file type; accepted: %(types)s") % {"types": ", ".join(suffixes)}, code="file_type"
        )
    try:
        upload.upload_info = check_upload(upload, upload.name, Limits.from_settings(**(limits or {})))
    except UploadRefused as exc:
        raise forms.ValidationError(str(exc), code="upload_refused") from None
    return upload


class SpreadsheetField(forms.FileField):
    """A file field that accepts only *suffixes* within the spreadsheet limits (the site's, or stricter ones)."""

    def __init__(self, *args, suffixes: tuple[str, ...] = (".xlsx",), limits: dict | None = None, **kwargs) -> None:
        self.suffixes = suffixes
        self.limits = limits
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return check_uploaded_file(upload, self.suffixes, self.limits) if upload else upload
