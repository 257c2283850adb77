"""Disabling an account ends its sessions, however it was disabled (admin, shell, API).

A signal is the exception to STYLE.md here: `is_active` can be switched off in
the Django admin's user form, which does not call our services.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User


@receiver(post_save, sender=User, dispatch_uid="kring_end_sessions_of_disabled_users")
def end_sessions_of_disabled_user(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    from .sessions import sessions_end_all

    sessions_end_all(instance)
