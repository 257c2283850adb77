from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "kring.privacy"
    label = "privacy"
    verbose_name = "Privacy"
