from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:case_id>/privacy/", views.case_privacy, name="case_privacy"),
    path("cases/<int:case_id>/export/", views.case_export_download, name="case_export"),
]
