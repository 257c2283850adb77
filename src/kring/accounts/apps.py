from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kring.accounts"
    label = "accounts"
