from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "kring.plans"
    label = "plans"
