"""Runners of the import jobs (``core.imports.RUNNERS``) for base data: the same loaders as the admin page and the
management commands, with progress."""

from __future__ import annotations

from collections.abc import Callable

from grids.loaders.components import import_components


def run_components(job, progress: Callable[[int], None]) -> dict:
    report = import_components(
        job.file.path,
        skip_invalid=bool(job.options.get("skip_invalid")),
        dry_run=bool(job.options.get("dry_run")),
        progress=progress,
    )
    return report.as_json()
