"""Seed a demo city: organisation and accounts, then the base map; each layer adds its own part as it grows."""

import time

from django.core.management.base import BaseCommand, CommandError

from cases.demo import seed_case_history, seed_street_offices
from core.demo import DEMO_PASSWORD, seed_organisation
from core.models import Department
from grids.demo import TaxonomyMissing, seed_base_map
from grids.taxonomy import assign_default_departments

PRESETS = {"bishan": "Bishan-shaped city: 33.18 km², 548 unit grids, 319,996 components at scale 1"}


class Command(BaseCommand):
    help = "Seed a deterministic demo city (idempotent: a second run adds nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="share of the full city's volume (0 < scale ≤ 1)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same city")
        parser.add_argument("--preset", default="bishan", choices=sorted(PRESETS), help="shape of the city")

    def handle(self, *args, scale: float, seed: int, preset: str, **options) -> None:
        if not 0 < scale <= 1:
            raise CommandError("--scale must be greater than 0 and at most 1")
        started = time.perf_counter()
        org = seed_organisation(seed=seed)
        self.stdout.write(
            f"organisation: {org['departments']} departments and {org['users']} accounts added "
            f"({time.perf_counter() - started:.1f} s)"
        )
        conditions = assign_default_departments({d.code: d for d in Department.objects.all()})
        self.stdout.write(f"taxonomy: default departments set on {conditions} filing conditions")
        step = time.perf_counter()
        try:
            base = seed_base_map(scale=scale, seed=seed)
        except TaxonomyMissing as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"base map ({preset}): {base['regions']} regions, {base['grids']} unit grids, {base['duty_grids']} duty "
            f"grids, {base['collectors']} collector accounts, {base['components']} components added "
            f"({time.perf_counter() - step:.1f} s)"
        )
        offices = seed_street_offices()
        self.stdout.write(f"cases: {offices} streets linked to their street offices")
        step = time.perf_counter()
        history = seed_case_history(scale=scale, seed=seed)
        self.stdout.write(
            f"cases: a year of history, {history['cases']} cases with {history['events']} events added "
            f"({time.perf_counter() - step:.1f} s)"
        )
        self.stdout.write(f"demo city ready in {time.perf_counter() - started:.1f} s")
        self.stdout.write(f"demo accounts use the password {DEMO_PASSWORD!r}")
