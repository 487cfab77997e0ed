"""django.contrib.admin with the project's site, which audits every admin change (core.admin_site).

In a module of its own: core/apps.py must hold only core's own AppConfig for Django to pick it by default."""

from django.contrib.admin.apps import AdminConfig


class CityAdminConfig(AdminConfig):
    default_site = "core.admin_site.CityAdminSite"
