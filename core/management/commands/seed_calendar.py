from django.core.management.base import BaseCommand

from core.calendar_seed import known_years, seed_calendar
from core.models import CalendarDay
from core.worktime import invalidate_calendar


class Command(BaseCommand):
    help = "Add the official calendar (holidays, adjusted working days) for the years chinesecalendar knows."

    def handle(self, *args, **options) -> None:
        added = seed_calendar(CalendarDay)
        invalidate_calendar()
        years = known_years()
        self.stdout.write(f"calendar: {added} days added for {years.start}–{years.stop - 1}")
