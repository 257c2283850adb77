from django.urls import path

from . import views

urlpatterns = [
    path("matching/", views.matching, name="matching"),
    path("matching/suggest/", views.suggest, name="matching_suggest"),
    path("matching/change/", views.change, name="matching_change"),
    path("matching/assign/", views.assign, name="matching_assign"),
]
