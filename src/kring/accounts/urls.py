from django.urls import path

from . import views

urlpatterns = [path("coordinators/", views.coordinator_pool, name="coordinator_pool")]
