"""``manage.py check_case_tally``: whether the case tally the queue counts read (cases/tally.py) agrees with a
count of the cases; ``--repair`` counts it again where it does not (what the nightly ``repair_tally`` does).

Exits with an error naming the groups that disagree, so a health check or a script can rely on it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases import tally
from cases.models import CaseTally


class Command(BaseCommand):
    help = "Check the case tally behind the queue counts against the cases (and recount it with --repair)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--repair", action="store_true", help="count the tally again if it disagrees")

    def handle(self, *args, **options) -> None:
        found = tally.repair() if options["repair"] else tally.drift()
        for group in found:
            self.stdout.write(str(group))
        if found and not options["repair"]:
            raise CommandError(f"the case tally disagrees with the cases in {len(found)} group(s); run with --repair")
        rows = CaseTally.objects.count()
        if found:
            self.stdout.write(self.style.WARNING(f"{len(found)} group(s) disagreed; counted again ({rows} rows)"))
        else:
            self.stdout.write(self.style.SUCCESS(f"the case tally agrees with the cases ({rows} rows)"))
