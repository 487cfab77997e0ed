"""Seed a demo city, layer by layer from the bottom: organisation and accounts, the base map, a year of cases, a
year of hotline orders and the other channels, then the evaluation (rollups, monthly bulletins, self-evaluations)."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.demo import seed_case_history, seed_street_offices
from core.demo import seed_organisation
from core.demo_cast import DEMO_PASSWORD
from core.models import Department
from evaluation.demo import seed_evaluation
from evaluation.selfeval.demo import seed_self_evaluations
from evaluation.supervision.demo import seed_supervision
from grids.basemap.demo import seed_base_layers
from grids.demo import TaxonomyMissing, seed_base_map
from grids.taxonomy import assign_default_departments
from hotlines.demo import seed_hotlines

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
        seeding_began = timezone.now()
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
        step = time.perf_counter()
        layers = seed_base_layers(seed=seed)
        self.stdout.write(
            f"base layers: {layers['roads']} roads, {layers['buildings']} buildings, {layers['water']} water, "
            f"{layers['green']} green spaces, {layers['labels']} place labels added "
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
        step = time.perf_counter()
        hot = seed_hotlines(seed=seed, scale=scale, year_end=timezone.localdate() - timedelta(days=1))
        self.stdout.write(
            f"hotlines: {hot['orders']} work orders, {hot.get('opinions', 0)} online opinions, "
            f"{hot.get('inspections', 0)} inspections, {hot.get('chat_reports', 0)} chat-group reports, "
            f"{hot.get('cameras', 0)} cameras, {hot.get('video_cases', 0)} video cases added "
            f"({time.perf_counter() - step:.1f} s)"
        )
        # Last: published bulletins freeze the figures of every layer below (cases and hotlines included).
        step = time.perf_counter()
        evaluation = seed_evaluation(seed=seed, scale=scale)
        year = timezone.localdate().year
        selfeval = seed_self_evaluations(year)
        self.stdout.write(
            f"evaluation: rollups rebuilt, {evaluation.get('bulletins', 0)} monthly bulletins added; "
            f"self-evaluations added: {', '.join(k for k, v in selfeval.items() if v) or 'none'} "
            f"(Bishan and Suizhou 2022, the demo city's {year}) ({time.perf_counter() - step:.1f} s)"
        )
        supervision = seed_supervision()
        self.stdout.write(
            f"supervision: {supervision['profiles']} collector profiles, {supervision['trainings']} training, "
            f"{supervision['inspections']} inspection records, {supervision['assessments']} company assessment"
        )
        # The history's in-app notifications are months old: a demo user starts with only what happens from now on.
        from core.models import Notification

        Notification.objects.filter(created_at__gte=seeding_began, read_at__isnull=True).update(read_at=timezone.now())
        self.stdout.write(f"demo city ready in {time.perf_counter() - started:.1f} s")
        self.stdout.write(f"demo accounts use the password {DEMO_PASSWORD!r}")
