from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.dashboard_export, name="dashboard_export"),
    path("figures/", views.policy_figures, name="policy_figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/done/", views.offer_done, name="offer_done"),
    path("cases/<int:case_id>/offers/new/", views.offer_new, name="offer_new"),
    path("fees/", views.fee_list, name="fee_list"),
    path("fees/statement/", views.fee_statement, name="fee_statement"),
]
