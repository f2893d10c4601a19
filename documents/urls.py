from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export_csv, name="export"),
    path("new/", views.create, name="create"),
    path("types/", views.document_types, name="types"),
    path("training/", views.training_matrix, name="training"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/review/", views.confirm_review, name="confirm-review"),
    path("<int:pk>/retire/", views.retire, name="retire"),
    path("<int:pk>/change-requests/", views.request_change, name="request-change"),
    path("<int:pk>/change-requests/<int:request_pk>/decide/", views.decide_change, name="decide-change"),
    path("<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("<int:pk>/revisions/<int:number>/file/", views.download, name="download"),
    path("<int:pk>/revisions/<int:number>/controlled-copy/", views.controlled_copy, name="controlled-copy"),
    path("<int:pk>/revisions/<int:number>/submit/", views.submit, name="submit"),
    path("<int:pk>/revisions/<int:number>/approve/", views.approve, name="approve"),
    path("<int:pk>/revisions/<int:number>/reject/", views.reject, name="reject"),
    path("<int:pk>/revisions/<int:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/revisions/<int:number>/replace/", views.replace_file, name="replace-file"),
]
