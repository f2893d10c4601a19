"""Document search: PostgreSQL full-text search over number, title and the text of the effective revision; a plain
substring match on SQLite.

On PostgreSQL each document stores its vector (`Document.search_vector`, kept by a trigger, documents/migrations/0003)
under a GIN index, so a search neither scans the table nor rebuilds vectors to rank the matches;
tests/documents/test_search.py checks the plan with EXPLAIN. Number prefixes ("SOP-00") are served by the index on
UPPER(number) (documents/migrations/0002).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from documents.models import Document

SEARCH_CONFIG = "english"
# Ranking reads the stored vector of every match. Past this many matches (a word found in a third of all documents),
# ranking costs more than the search and says little: such a search is listed by number, and the register counts its
# matches only up to this bound ("More than 1,000 documents match").
RANKED_AT_MOST = 1_000


def search_text_for(document: Document, extracted_text: str) -> str:
    """What search looks through: the number (also without its dash), the title and the effective text."""
    return "\n".join([document.number, document.number.replace("-", " "), document.title, extracted_text])


def search_documents(documents: QuerySet[Document], query: str) -> QuerySet[Document]:
    return search_counted(documents, query)[0]


def search_counted(documents: QuerySet[Document], query: str) -> tuple[QuerySet[Document], int | None]:
    """The matches, ranked (or by number when broad), and how many there are counted up to RANKED_AT_MOST + 1 (None
    on SQLite or for an empty query): the register shows that count, so the matches are counted once."""
    query = query.strip()[:200]
    if not query:
        return documents, None
    number_match = Q(number__istartswith=query)
    if connection.vendor != "postgresql":
        return documents.filter(number_match | Q(title__icontains=query) | Q(search_text__icontains=query)), None
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    matches = documents.filter(Q(search_vector=search_query) | number_match)
    # Counted no further than the bound, so the answer costs little whatever the size.
    counted = matches.values("pk")[: RANKED_AT_MOST + 1].count()
    if counted > RANKED_AT_MOST:
        return matches.order_by("number"), counted
    return matches.annotate(rank=SearchRank(F("search_vector"), search_query)).order_by("-rank", "number"), counted
