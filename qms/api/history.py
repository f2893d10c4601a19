from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from qms.api.serializers import HistoryEntrySerializer
from qms.history import entries_as_dicts, history_of


class HistoryMixin:
    """Adds `GET …/{id}/history/` to a viewset: the record's audit trail, fetched through the permission-checked
    `get_object()`. Viewsets whose history spans several records (a document and its revisions) override
    `history_records()`."""

    def history_records(self, obj: Any) -> list[Any]:
        return [obj]

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        entries = entries_as_dicts(history_of(*self.history_records(obj)))
        return Response(HistoryEntrySerializer(entries, many=True).data)
