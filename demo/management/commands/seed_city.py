"""Seed a demo city: organisation and accounts now; each layer adds its own part as it grows."""

from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, seed_organisation


class Command(BaseCommand):
    help = "Seed a deterministic demo city (idempotent: a second run adds nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="share of the full city's volume (0 < scale ≤ 1)")
        parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same city")

    def handle(self, *args, scale: float, seed: int, **options) -> None:
        if not 0 < scale <= 1:
            raise CommandError("--scale must be greater than 0 and at most 1")
        org = seed_organisation(seed=seed)
        self.stdout.write(f"organisation: {org['departments']} departments and {org['users']} accounts added")
        self.stdout.write(f"demo accounts use the password {DEMO_PASSWORD!r}")
