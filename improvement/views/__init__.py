"""Browser views of continual improvement: `ideas` (submitting, the register and its export), `board` (the PDCA
board) and `idea_page` (the idea page and its forms: votes, comments, notes, moves, the document change of Act).
The recognition pages (wins, participation, contributions) are in `improvement.recognition`."""

from improvement.views.board import board, index
from improvement.views.idea_page import (
    advance,
    attachment_download,
    comment,
    detail,
    document_change,
    history,
    notes,
    unvote,
    vote,
    watch,
)
from improvement.views.ideas import export_csv, idea_list, similar, submit

__all__ = [
    "advance",
    "attachment_download",
    "board",
    "comment",
    "detail",
    "document_change",
    "export_csv",
    "history",
    "idea_list",
    "index",
    "notes",
    "similar",
    "submit",
    "unvote",
    "vote",
    "watch",
]
