from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kring.audit"
    label = "audit"
