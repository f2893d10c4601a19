from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from qms.pagination import EstimatedCountPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most 200), as the API contract says."""

    django_paginator_class = EstimatedCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # DRF would answer the first page for `?page_size=yes`; bad input gets a 400 naming the parameter.
        errors = {}
        page, size = (
            request.query_params.get(self.page_query_param),
            request.query_params.get(self.page_size_query_param),
        )
        if page is not None and page not in self.last_page_strings and not (page.isdigit() and int(page) >= 1):
            errors[self.page_query_param] = ["Give a page number of 1 or more."]
        if size is not None and not (size.isdigit() and int(size) >= 1):
            errors[self.page_size_query_param] = [f"Give a whole number from 1 to {self.max_page_size}."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
