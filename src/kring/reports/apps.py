from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kring.reports"
    label = "reports"

    def ready(self) -> None:
        from .refresh import connect_signals

        connect_signals()
