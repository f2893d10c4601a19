"""Document search: PostgreSQL full-text search over number, title and the text of the effective revision, served by
a GIN index (created by migration on PostgreSQL only); a plain substring match on SQLite.

The index (documents/migrations/0002) is on exactly the expression Django writes for
`SearchVector("search_text", config="english")`, so the planner can use it; tests/documents/test_search.py
checks that with EXPLAIN.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from documents.models import Document

SEARCH_CONFIG = "english"


def search_text_for(document: Document, extracted_text: str) -> str:
    """What search looks through: the number (also without its dash), the title and the effective text."""
    return "\n".join([document.number, document.number.replace("-", " "), document.title, extracted_text])


def search_documents(documents: QuerySet[Document], query: str) -> QuerySet[Document]:
    query = query.strip()[:200]
    if not query:
        return documents
    number_match = Q(number__istartswith=query)
    if connection.vendor != "postgresql":
        return documents.filter(number_match | Q(title__icontains=query) | Q(search_text__icontains=query))
    vector = SearchVector("search_text", config=SEARCH_CONFIG)
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    return (
        documents.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(Q(search=search_query) | number_match)
        .order_by("-rank", "number")
    )
