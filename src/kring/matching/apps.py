from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "kring.matching"
    label = "matching"
