"""The access log (NEN 7513 style): one append-only row per access to a case or person."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .purposes import PurposeText, purpose_display


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an access-log row."""


class Action(models.TextChoices):
    READ = "read", _("read")
    SEARCH = "search", _("search")
    CREATE = "create", _("create")
    CHANGE = "change", _("change")
    EXPORT = "export", _("export")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("success")
    DENIED = "denied", _("denied")


#: Roles that are not staff roles but do appear in the log (families, the public).
OTHER_ROLE_LABELS = {
    "parent": _("Parent"),
    "young_person": _("Young person"),
    "network_member": _("Circle member"),
    "anonymous": _("Someone without an account"),
}


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("access-log rows cannot be changed")

    def delete(self):
        raise AppendOnlyError("access-log rows cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("access-log rows cannot be changed")


class AccessLogEntry(models.Model):
    """Who did what to which object, when, from where, on whose behalf and why.

    Rows are never updated or deleted by the application: the model and its
    queryset refuse it, and a database trigger (see the migration) refuses it too.
    """

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
        db_constraint=False,
    )
    user_label = models.CharField(_("user name"), max_length=200)
    role = models.CharField(_("role"), max_length=40)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200)
    client_address = models.GenericIPAddressField(_("client address"), null=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=40)
    case_id = models.BigIntegerField(_("case"), null=True)  # indexed by (case, newest first, id) below
    purpose = models.CharField(_("why"), max_length=200)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["case_id", "-at", "-id"], name="accesslog_case_at_id")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("access-log rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access-log rows cannot be deleted")

    @cached_property
    def purpose_shown(self) -> PurposeText:
        """The "why" in the reader's language (`purposes.py`); `.lang` is "en" when untranslated."""
        return purpose_display(self.purpose)

    @property
    def purpose_label(self) -> str:
        return self.purpose_shown.text

    @property
    def purpose_lang(self) -> str:
        """"en" when the purpose is shown as stored (English), for a `lang` attribute; else ""."""
        return self.purpose_shown.lang

    @property
    def role_label(self) -> str:
        """The role in words of the reader's language, for every page that shows the log."""
        from kring.accounts.models import Role

        if self.role in OTHER_ROLE_LABELS:
            return str(OTHER_ROLE_LABELS[self.role])
        return str(dict(Role.choices).get(self.role, self.role))
