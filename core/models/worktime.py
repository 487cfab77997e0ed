"""The working-time calendar: which days are worked and which hours of them (docs/domain.md §4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import DayKind


class _InvalidatesCalendar(models.Model):
    """Saving or deleting a row tells every process to reload the working calendar."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from core.worktime import invalidate_calendar

        invalidate_calendar()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from core.worktime import invalidate_calendar

        invalidate_calendar()
        return result


class CalendarDay(_InvalidatesCalendar):
    """One date of the official calendar: worked or not, and why.

    Seeded from the ``chinesecalendar`` package for the years it knows; editable by an administrator
    (the State Council publishes next year's holidays around November)."""

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    kind = models.CharField(_("kind"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("holiday name"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        worked = {DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY}
        rested = {DayKind.WEEKEND, DayKind.HOLIDAY}
        if (self.kind in worked and not self.is_workday) or (self.kind in rested and self.is_workday):
            raise ValidationError({"kind": _("The kind contradicts the working-day flag.")})


class WorkSchedule(_InvalidatesCalendar):
    """Daily working hours, versioned by the date they take effect (summer and winter hours differ).

    A schedule marked ``round_the_clock`` counts every minute of every day (7×24 classes)."""

    name = models.CharField(_("name"), max_length=50)
    valid_from = models.DateField(_("valid from"))
    round_the_clock = models.BooleanField(_("7×24"), default=False)

    class Meta:
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")
        ordering = ["round_the_clock", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["round_the_clock", "valid_from"], name="schedule_unique_valid_from")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%Y-%m-%d})"


class WorkPeriod(_InvalidatesCalendar):
    """A worked span of the day inside a schedule, e.g. 08:00–12:00."""

    schedule = models.ForeignKey(WorkSchedule, on_delete=models.CASCADE, related_name="periods")
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("work period")
        verbose_name_plural = _("work periods")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start >= self.end:
            raise ValidationError({"end": _("A work period must end after it starts.")})


class CalendarGap(models.Model):
    """A year the calendar table did not know when a deadline needed it.

    Deadlines then fall back to the Monday–Friday rule; the admin shows these until the year is filled in."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("calendar gap")
        verbose_name_plural = _("calendar gaps")

    def __str__(self) -> str:
        return str(self.year)
