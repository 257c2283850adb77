from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "kring.family"
    label = "family"
