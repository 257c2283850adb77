from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/information-form/", views.information_form, name="information_form"),
    path("cases/<int:case_id>/plan/", views.plan_detail, name="plan_detail"),
    path("cases/<int:case_id>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("cases/<int:case_id>/plan/present/", views.plan_present_view, name="plan_present"),
    path("cases/<int:case_id>/plan/test/", views.plan_test, name="plan_test"),
    path("cases/<int:case_id>/plan/decide/", views.plan_decide_view, name="plan_decide"),
    path("cases/<int:case_id>/plan/revise/", views.plan_revise_view, name="plan_revise"),
    path("cases/<int:case_id>/plan/pdf/", views.plan_pdf, name="plan_pdf"),
    path("cases/<int:case_id>/plan/send/", views.plan_distribute_view, name="plan_distribute"),
]
