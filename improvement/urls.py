from django.urls import path

from improvement import views
from improvement.recognition_urls import recognition_urlpatterns

app_name = "improvement"
urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("ideas/", views.idea_list, name="list"),
    path("ideas/export.csv", views.export_csv, name="export"),
    path("ideas/new/", views.submit, name="submit"),
    path("ideas/similar/", views.similar, name="similar"),
    path("ideas/<int:pk>/", views.detail, name="detail"),
    path("ideas/<int:pk>/history/", views.history, name="history"),
    path("ideas/<int:pk>/vote/", views.vote, name="vote"),
    path("ideas/<int:pk>/unvote/", views.unvote, name="unvote"),
    path("ideas/<int:pk>/watch/", views.watch, name="watch"),
    path("ideas/<int:pk>/comments/", views.comment, name="comment"),
    path("ideas/<int:pk>/notes/", views.notes, name="notes"),
    path("ideas/<int:pk>/advance/", views.advance, name="advance"),
    path("ideas/<int:pk>/document-change/", views.document_change, name="document-change"),
    path("ideas/<int:pk>/attachments/<int:file_pk>/", views.attachment_download, name="attachment"),
    *recognition_urlpatterns,
]
