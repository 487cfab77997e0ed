"""Admin of regions, grids and components on Leaflet maps, and the file-import page for grids and components."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from grids.loaders import import_components, import_grids
from grids.models import Component, DutyGrid, Region, UnitGrid

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    skip_invalid = forms.BooleanField(label=_("Load the good rows and skip the bad ones"), required=False)
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def __init__(self, *args, suffixes: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suffixes = suffixes
        self.fields["file"].help_text = _("Accepted: %(types)s") % {"types": ", ".join(suffixes)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in self.suffixes:
            raise forms.ValidationError(
                _("Unsupported file type; accepted: %(types)s") % {"types": ", ".join(self.suffixes)}
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 MB."))
        return upload


class ImportAdminMixin:
    """Adds an import page (``…/import/``) to a model admin, for users who may add that model."""

    change_list_template = "admin/grids/change_list_import.html"
    import_suffixes: tuple[str, ...] = ()
    import_loader = None

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name=name)]
        return extra + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None, suffixes=self.import_suffixes)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as folder:
                target = os.path.join(folder, Path(upload.name).name)
                with open(target, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                report = type(self).import_loader(
                    target, skip_invalid=form.cleaned_data["skip_invalid"], dry_run=form.cleaned_data["dry_run"]
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/grids/import_form.html", context)


@admin.register(Region)
class RegionAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(UnitGrid)
class UnitGridAdmin(ImportAdminMixin, LeafletGeoAdmin):
    list_display = ["code", "name", "community", "area_m2", "valid_from", "valid_to"]
    list_filter = ["valid_to", "community__parent"]
    search_fields = ["code", "name"]
    readonly_fields = ["area_m2"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    import_suffixes = (".geojson", ".json", ".zip", ".shp")
    import_loader = import_grids


@admin.register(DutyGrid)
class DutyGridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["collectors"]
    raw_id_fields = ["unit_grids"]


@admin.register(Component)
class ComponentAdmin(ImportAdminMixin, LeafletGeoAdmin):
    list_display = ["identifier", "name", "minor_class", "status", "grid", "maintainer"]
    list_filter = ["status", "minor_class__major", "data_source"]
    search_fields = ["identifier", "name"]
    raw_id_fields = ["minor_class", "grid", "supervising_department", "owner", "maintainer"]
    list_select_related = ["minor_class", "grid", "maintainer"]
    show_full_result_count = False  # 320,000 rows: no second COUNT(*) per page
    readonly_fields = ["location"]
    import_suffixes = (".csv", ".xlsx", ".geojson", ".json")
    import_loader = import_components
