from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kring.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import security_log, sessions, signals  # noqa: F401  (connects the receivers)
