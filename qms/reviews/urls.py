from django.urls import path

from qms.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/details/", views.edit_details, name="edit-details"),
    path("<int:pk>/written-inputs/", views.edit_written, name="edit-written"),
    path("<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/meeting/", views.record_meeting, name="record-meeting"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/decisions/", views.add_decision, name="add-decision"),
    path("<int:pk>/decisions/<int:decision_pk>/actions/", views.add_action, name="add-action"),
    path("<int:pk>/actions/<int:action_pk>/complete/", views.complete_action, name="complete-action"),
    path("<int:pk>/actions/<int:action_pk>/cancel/", views.cancel_action, name="cancel-action"),
    path("<int:pk>/actions/<int:action_pk>/capa/", views.raise_capa, name="raise-capa"),
    path("<int:pk>/actions/<int:action_pk>/idea/", views.raise_idea, name="raise-idea"),
    path("<int:pk>/actions/<int:action_pk>/change-request/", views.request_change, name="request-change"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/report/", views.generate_pdf, name="report"),
]
