from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "kring.intake"
    label = "intake"
