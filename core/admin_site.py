"""The project's admin site: every model admin registered on it records its adds, changes and deletes in the audit
log (who, what, before → after field values), whichever app registers it.

``CityAdminConfig`` (core.apps) makes this the default ``admin.site``, so the apps' ``admin.py`` files stay as they
are and a new admin cannot forget to be audited."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.geos import GEOSGeometry
from django.db import models

from core.audit import VALUE_MAX, json_safe, record
from core.choices import AuditAction

HIDDEN_FIELDS = {"password", "secret"}  # never copy a password hash or a shared key into the log


def field_value(obj: models.Model, field: models.Field):
    if field.name in HIDDEN_FIELDS or field.name in getattr(obj, "audit_hidden_fields", ()):
        return "***"
    value = field.value_from_object(obj)
    if isinstance(value, GEOSGeometry):
        value = value.wkt
    value = json_safe(value)
    if isinstance(value, str) and len(value) > VALUE_MAX:
        value = value[:VALUE_MAX] + "…"
    return value


def snapshot(obj: models.Model) -> dict:
    return {f.name: field_value(obj, f) for f in obj._meta.concrete_fields}


def changes(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for each field whose value differs."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def _names(values) -> list[str]:
    return sorted(str(v) for v in (values or []))


class AuditedAdminMixin:
    """Records every add, change and delete made through this admin (the site applies it to every admin)."""

    def save_model(self, request, obj, form, change):
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            obj._audit_before = snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        stored = type(obj)._default_manager.filter(pk=obj.pk).first()  # values as stored, e.g. 3.50 not 3.5
        after = snapshot(stored if stored is not None else obj)
        data: dict = {}
        if change:
            data["changes"] = changes(obj.__dict__.pop("_audit_before", {}), after)
        else:
            data["values"] = after
        many = {f.name for f in obj._meta.many_to_many}
        for name in form.changed_data:
            if name in many:
                data.setdefault("changes", {})[name] = [_names(form.initial.get(name)), _names(form.cleaned_data[name])]
        inlines = self._inline_changes(formsets)
        if inlines:
            data["inlines"] = inlines
        record(AuditAction.ADMIN_CHANGE if change else AuditAction.ADMIN_ADD, request=request, obj=obj, **data)

    @staticmethod
    def _inline_changes(formsets) -> dict:
        found: dict = {}
        for formset in formsets or []:
            for kind in ("new_objects", "changed_objects", "deleted_objects"):
                items = getattr(formset, kind, None) or []
                if items:
                    label = formset.model._meta.label_lower
                    texts = [str(item[0] if isinstance(item, tuple) else item) for item in items]
                    found.setdefault(label, {})[kind.removesuffix("_objects")] = texts
        return found

    def delete_model(self, request, obj):
        # Recorded first, in the admin's transaction: a refused delete leaves no entry.
        record(AuditAction.ADMIN_DELETE, request=request, obj=obj, values=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(AuditAction.ADMIN_DELETE, request=request, obj=obj, values=snapshot(obj))
        super().delete_queryset(request, queryset)


class CityAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
