"""The taxonomy (分类代码 and 立案条件): the national class-code tables loaded from the catalogues, their default
filing conditions with disposal limits (处置时限), the 2007 ↔ 2026 mapping and the default departments; the models
are ``grids.models.taxonomy``.

Everything here is a *default*: the loader only adds what is missing, so an administrator's edits of names, limits,
urgencies or departments survive every reload. The rule tables are plain data; a city with other practice edits the
conditions in the admin, or calls the functions with its own tables.

- ``catalogues``: the shipped code lists and reading one (``read_catalogue``, row-numbered ``CatalogueError``).
- ``conditions``: ``CONDITION_RULES`` (class keywords → conditions), after-photo rules, ``limit_label``.
- ``mappings``: ``CURATED_MAPPINGS`` and ``mapping_pairs`` (2007-era → 2026).
- ``departments``: ``DEPARTMENT_RULES`` + ``assign_default_departments()`` (class → default department code).
- ``loader``: ``load_taxonomy()`` / ``ensure_taxonomy()`` (catalogues, then conditions, then mappings).
- ``cache``: the version key every edit bumps (``taxonomy_version``, ``invalidate_taxonomy_cache``).
- ``filtersets``, ``admin``, ``api/``: the FilterSet, admin pages and ``GET /api/v1/taxonomy/``.

Other modules import from here (``from grids.taxonomy import load_taxonomy``), not from the sub-modules.
"""

from grids.taxonomy.cache import TAXONOMY_VERSION_KEY, invalidate_taxonomy_cache, taxonomy_version
from grids.taxonomy.catalogues import CATALOGUES, CJT_2007, GBT_2026, Catalogue, CatalogueError, read_catalogue
from grids.taxonomy.conditions import CONDITION_RULES, after_photo_required, conditions_for, limit_label
from grids.taxonomy.departments import DEPARTMENT_RULES, assign_default_departments
from grids.taxonomy.loader import ensure_taxonomy, load_taxonomy
from grids.taxonomy.mappings import CURATED_MAPPINGS, mapping_pairs

__all__ = [
    "CATALOGUES",
    "CJT_2007",
    "CONDITION_RULES",
    "CURATED_MAPPINGS",
    "DEPARTMENT_RULES",
    "GBT_2026",
    "TAXONOMY_VERSION_KEY",
    "Catalogue",
    "CatalogueError",
    "after_photo_required",
    "assign_default_departments",
    "conditions_for",
    "ensure_taxonomy",
    "invalidate_taxonomy_cache",
    "limit_label",
    "load_taxonomy",
    "mapping_pairs",
    "read_catalogue",
    "taxonomy_version",
]
