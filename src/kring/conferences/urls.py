from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/conference/", views.conference_prepare, name="conference_prepare"),
    path("cases/<int:case_id>/conference/checklist/", views.conference_checklist, name="conference_checklist"),
    path("cases/<int:case_id>/conference/edit/", views.conference_edit, name="conference_edit"),
    path("cases/<int:case_id>/conference/record/", views.conference_record, name="conference_record"),
    path("cases/<int:case_id>/conference/held/", views.conference_hold, name="conference_hold"),
    path("cases/<int:case_id>/conference/invitations/", views.conference_invite, name="conference_invite"),
    path("cases/<int:case_id>/conference/invitations/<int:invitation_id>/resend/",
         views.conference_invitation_resend, name="conference_invitation_resend"),
    # The personal link of an invited person: no account, no login.
    path("i/<str:token>/", views.invitation_answer, name="invitation_answer"),
]
