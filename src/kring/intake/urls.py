from django.urls import path

from . import views

urlpatterns = [
    path("request/", views.public_request, name="public_request"),
    path("request/thanks/", views.public_request_thanks, name="public_request_thanks"),
    path("requests/new/", views.professional_request, name="professional_request"),
]
