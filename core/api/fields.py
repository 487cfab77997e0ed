"""Serializer fields with the platform's input window (see core/sanitize.py)."""

from __future__ import annotations

from rest_framework import serializers

from core.sanitize import date_out_of_window, out_of_window, parse_client_time


class ClientDateTimeField(serializers.DateTimeField):
    """A time a client says something happened: after 2000-01-01 and not ahead of the server's clock by more than
    CLIENT_TIME_FUTURE_MINUTES; `12:99` or February 30 is a 400 naming the field, never a 500."""

    def to_internal_value(self, value):
        try:
            return parse_client_time(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


class SaneDateTimeField(serializers.DateTimeField):
    """A stored or planned time (a deadline, a filter bound): between 2000-01-01 and 2100-12-31."""

    def to_internal_value(self, value):
        try:
            moment = super().to_internal_value(value)
        except (ValueError, OverflowError) as exc:
            raise serializers.ValidationError(self.error_messages["invalid"].format(format="ISO 8601")) from exc
        problem = out_of_window(moment, client=False)
        if problem:
            raise serializers.ValidationError(problem)
        return moment


class SaneDateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        problem = date_out_of_window(day)
        if problem:
            raise serializers.ValidationError(problem)
        return day
