"""Admin of regions, grids and components on Leaflet maps, and the file-import page for grids and components."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from core.audit import import_outcome, record_import
from core.imports import runs_in_background, start_job
from core.spreadsheets.forms import check_uploaded_file
from grids.admin.component_form import ComponentAdminForm
from grids.basemap.tiles import changed as base_map_changed
from grids.loaders import import_components, import_grids
from grids.models import Component, DutyGrid, Region, UnitGrid

MAX_ERRORS_SHOWN = 1000  # a wrong file can have 300,000 bad rows; the page shows the first ones and the count


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    skip_invalid = forms.BooleanField(label=_("Load the good rows and skip the bad ones"), required=False)
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def __init__(self, *args, suffixes: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suffixes = suffixes
        self.fields["file"].help_text = _("Accepted: %(types)s") % {"types": ", ".join(suffixes)}

    def clean_file(self):
        """Type and the spreadsheet kit's limits (size, zip, sheet dimension), before anything parses the file."""
        return check_uploaded_file(self.cleaned_data["file"], self.suffixes)


class GridCodeFilter(admin.SimpleListFilter):
    """Components by unit grid code, or by any prefix of it: 12 digits for a community, 9 for a street. A text box,
    because a list of hundreds of grids in the sidebar helps nobody."""

    title = _("unit grid code (or community / street code)")
    parameter_name = "grid_code"
    template = "admin/grids/input_filter.html"

    def lookups(self, request, model_admin):
        return [("", "")]  # a filter with no lookups is not shown at all

    def choices(self, changelist):
        # One "choice" carrying what the text box needs: its value, the other parameters to keep, a reset link.
        keep = [(k, v) for k, v in changelist.params.items() if k not in (self.parameter_name, "p")]
        yield {
            "selected": bool(self.value()),
            "value": self.value() or "",
            "hidden": keep,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if value:
            return queryset.filter(grid__code__startswith=value)
        return queryset


class DrawnOnBaseMapMixin:
    """For models drawn in the base tiles (the base layers, the grid outlines): an edit or deletion in the admin moves
    the base map's version on, so tiles cached in Redis before it are not served again (after the commit)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        base_map_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        base_map_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        base_map_changed()


class ImportAdminMixin:
    """Adds an import page (``…/import/``) to a model admin, for users who may add that model."""

    change_list_template = "admin/grids/change_list_import.html"
    import_suffixes: tuple[str, ...] = ()
    import_loader = None
    import_job_kind = ""  # set: a file above IMPORT_BACKGROUND_ROWS is imported by a Celery job (core.imports)
    import_columns_help = ""

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
            if self.import_job_kind and runs_in_background(upload.upload_info):
                options = {key: form.cleaned_data[key] for key in ("skip_invalid", "dry_run")}
                rows = upload.upload_info.rows
                job = start_job(self.import_job_kind, upload, request.user, rows=rows, options=options)
                return redirect("import_job", pk=job.pk)
            with tempfile.TemporaryDirectory() as folder:
                target = os.path.join(folder, Path(upload.name).name)
                with open(target, "wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                report = type(self).import_loader(
                    target, skip_invalid=form.cleaned_data["skip_invalid"], dry_run=form.cleaned_data["dry_run"]
                )
            record_import(
                report.kind,
                request=request,
                file_name=upload.name,
                rows=report.rows,
                outcome=import_outcome(report.written, form.cleaned_data["dry_run"]),
                errors=len(report.errors),
            )
        errors = report.sorted_errors if report else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "form": form,
            "report": report,
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(len(errors) - MAX_ERRORS_SHOWN, 0),
            "columns_help": self.import_columns_help,
        }
        return TemplateResponse(request, "admin/grids/import_form.html", context)


@admin.register(Region)
class RegionAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(UnitGrid)
class UnitGridAdmin(DrawnOnBaseMapMixin, ImportAdminMixin, LeafletGeoAdmin):
    list_display = ["code", "name", "community", "area_m2", "valid_from", "valid_to"]
    list_filter = ["valid_to", "community__parent"]
    search_fields = ["code", "name"]
    readonly_fields = ["area_m2"]
    raw_id_fields = ["community"]
    list_select_related = ["community"]
    import_suffixes = (".geojson", ".json", ".zip")
    import_loader = import_grids
    import_columns_help = _(
        "GeoJSON, or a Shapefile zipped with its .dbf, .shx and .prj. Attributes: code (15 digits), name, "
        "valid_from (YYYY-MM-DD), and comm_name / street_name / dist_name to create regions not known yet."
    )


@admin.register(DutyGrid)
class DutyGridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["collectors"]
    raw_id_fields = ["unit_grids"]


@admin.register(Component)
class ComponentAdmin(ImportAdminMixin, LeafletGeoAdmin):
    list_display = ["identifier", "name", "minor_class", "status", "grid", "maintainer"]
    list_filter = ["status", "minor_class__major", GridCodeFilter, "data_source"]
    search_fields = ["identifier", "name"]
    raw_id_fields = ["minor_class", "grid", "supervising_department", "owner", "maintainer"]
    list_select_related = ["minor_class", "grid", "maintainer"]
    show_full_result_count = False  # 320,000 rows: no second COUNT(*) per page
    show_facets = admin.ShowFacets.NEVER  # nor a COUNT per filter choice
    form = ComponentAdminForm  # attributes as a labelled table, not raw JSON
    exclude = ["location"]  # follows the geometry (ComponentAdminForm.clean); shown as coordinates, not WKT
    readonly_fields = ["coordinates"]
    import_suffixes = (".csv", ".xlsx", ".geojson", ".json")
    import_loader = import_components
    import_job_kind = "components"
    import_columns_help = _(
        "CSV (UTF-8 or GBK), Excel .xlsx or GeoJSON. Columns: identifier, class_code, standard, name, status, "
        "supervising_department, owner, maintainer (department code, credit code or name), census_date, "
        "changed_date, data_source, note, lng and lat (or the GeoJSON geometry); other columns are kept as "
        "other attributes."
    )

    @admin.display(description=_("location"))
    def coordinates(self, obj: Component) -> str:
        if obj.location is None:
            return ""
        return _("longitude %(lng).6f, latitude %(lat).6f") % {"lng": obj.location.x, "lat": obj.location.y}
