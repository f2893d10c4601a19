"""Filters of the API's lists: django-filter's, with yes/no filters that refuse what is neither.

django-filter reads an unknown value of a yes/no filter (`?read_at__isnull=maybe`) as "no filter" and answers the
whole list; the contract answers bad input with 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters import rest_framework as filters

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


class _YesNoField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise forms.ValidationError("Enter true or false.", code="invalid")


class BooleanFilter(filters.BooleanFilter):
    field_class = _YesNoField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # django-filter's widget turns an unknown value into "no filter" before the field could refuse it.
        self.extra["widget"] = forms.TextInput


class FilterSet(filters.FilterSet):
    """The base of every list's filters, declared or made from `filterset_fields`."""

    @classmethod
    def filter_for_lookup(cls, field: Any, lookup_type: str) -> tuple[type[Any], dict[str, Any]]:
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is filters.BooleanFilter:
            filter_class = BooleanFilter
        return filter_class, params


class FilterBackend(filters.DjangoFilterBackend):
    filterset_base = FilterSet
