"""Runner of the base-layer import jobs (``core.imports.RUNNERS``: kinds ``base_roads``, ``base_buildings``…): the
loader of the admin page and the management command, with progress, for files too big for a web request."""

from __future__ import annotations

from collections.abc import Callable

from grids.basemap.loader import import_base_layer


def run_layer(job, progress: Callable[[int], None]) -> dict:
    report = import_base_layer(
        job.kind.removeprefix("base_"),
        job.file.path,
        skip_invalid=bool(job.options.get("skip_invalid")),
        dry_run=bool(job.options.get("dry_run")),
        progress=progress,
    )
    return report.as_json()
