"""Console pages of the case layer (案件办理): queues, case detail with its action forms, live updates."""

from cases.views.console import console, live
from cases.views.detail import act, detail
from cases.views.export import export
from cases.views.filters import grids_json
from cases.views.map import case_map

__all__ = ["act", "case_map", "console", "detail", "export", "grids_json", "live"]
