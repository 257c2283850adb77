from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/step/", views.case_step, name="case_step"),
    path("cases/<int:case_id>/assign/", views.case_assign_view, name="case_assign"),
    path("cases/<int:case_id>/log/", views.case_access_log, name="case_access_log"),
]
