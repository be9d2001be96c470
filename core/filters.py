"""django-filter filters shared by every list API: dates, datetimes and years the database can store.

PostgreSQL rejects a time zone offset beyond ±15:59 ("time zone displacement out of range") and Python
rejects year 0; an API must answer such input with a 400 field error, never reach the database with it.
Real offsets lie within ±14:00, and this service has no business with dates outside 1900–2100."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend

MIN_YEAR = 1900
MAX_YEAR = 2100
MAX_UTC_OFFSET = timedelta(hours=14)


def _check_year(value) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(
            _("年份须在 %(min)s 至 %(max)s 之间"), code="year_out_of_range", params={"min": MIN_YEAR, "max": MAX_YEAR}
        )


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 datetime with a real UTC offset (within ±14:00) and a year within MIN_YEAR–MAX_YEAR."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None:
            offset = parsed.utcoffset()
            if offset is not None and abs(offset) > MAX_UTC_OFFSET:
                raise forms.ValidationError(_("时区偏移须在 ±14:00 以内"), code="offset_out_of_range")
        _check_year(parsed)
        return parsed


class BoundedDateField(forms.DateField):
    def to_python(self, value):
        parsed = super().to_python(value)
        _check_year(parsed)
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """Use instead of django_filters.IsoDateTimeFilter/DateTimeFilter in every API filterset."""

    field_class = BoundedIsoDateTimeField


class DateFilter(django_filters.DateFilter):
    """Use instead of django_filters.DateFilter in every API filterset."""

    field_class = BoundedDateField


class YearFilter(django_filters.NumberFilter):
    """A calendar year as an integer within MIN_YEAR–MAX_YEAR."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class FilterBackend(DjangoFilterBackend):
    """The API's filter backend (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]): every numeric filter of
    every filterset takes values within the signed 64-bit range of the database's integer columns, so
    `?business_system=<38 digits>` is a 400 field error instead of an OverflowError from the driver."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for filter_ in filterset.filters.values():
                if isinstance(filter_, django_filters.NumberFilter):
                    filter_.extra.setdefault("min_value", INT64_MIN)
                    filter_.extra.setdefault("max_value", INT64_MAX)
        return filterset


def int_param(raw: str | None, *, name: str) -> int | None:
    """An integer query parameter (an id): None when absent, a 400 field error when not an integer
    or beyond 64 bits."""
    from .exceptions import ValidationFailed

    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(fields={name: [_("请输入整数编号")]}) from None
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationFailed(fields={name: [_("编号超出范围")]})
    return value
