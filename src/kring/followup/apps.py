from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "kring.followup"
    label = "followup"
