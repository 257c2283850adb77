from django.urls import path

from . import views

urlpatterns = [
    path("coordinators/", views.coordinator_pool, name="coordinator_pool"),
    path("accounts/sessions/", views.session_list, name="session_list"),
    path("accounts/sessions/end/", views.session_end_view, name="session_end"),
]
