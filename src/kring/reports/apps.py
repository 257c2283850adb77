from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kring.reports"
    label = "reports"
