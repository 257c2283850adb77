from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/circle/", views.circle, name="network_circle"),
    path("cases/<int:case_id>/circle/ecomap.svg", views.ecomap_svg, name="network_ecomap"),
    path("cases/<int:case_id>/circle/members/", views.member_add, name="network_member_add"),
    path("cases/<int:case_id>/circle/members/<int:member_id>/", views.member_edit,
         name="network_member_edit"),
    path("cases/<int:case_id>/circle/members/<int:member_id>/status/", views.member_status,
         name="network_member_status"),
    path("cases/<int:case_id>/circle/arrangements/", views.arrangement_add,
         name="network_arrangement_add"),
    path("cases/<int:case_id>/circle/arrangements/<int:arrangement_id>/remove/",
         views.arrangement_remove, name="network_arrangement_remove"),
]
