"""Preparing and holding the conference: checklist, invitations, the three parts."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrepItem(models.TextChoices):
    VISIT_PARENTS = "visit_parents", _("Visit the parents")
    VISIT_NETWORK = "visit_network", _("Visit the network")
    CONTACT_PROFESSIONALS = "contact_professionals", _("Contact the professionals")
    PREPARE_CHILDREN = "prepare_children", _("Prepare the children")
    VENUE = "venue", _("Venue")
    DATE_TIME = "date_time", _("Date and time")
    INTERPRETER = "interpreter", _("Interpreter")
    CHILDCARE = "childcare", _("Childcare")
    FOOD_CUSTOMS = "food_customs", _("Food and customs")
    REMOTE_LINK = "remote_link", _("Link for taking part from a distance")
    SAFETY = "safety", _("Safety arrangements")


class PrepStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


class PreparationItem(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="preparation")
    code = models.CharField(_("item"), max_length=30, choices=PrepItem.choices)
    status = models.CharField(_("status"), max_length=12, choices=PrepStatus.choices, default=PrepStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("preparation item")
        verbose_name_plural = _("preparation checklist")
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="prep_item_once_per_case")]

    def __str__(self) -> str:
        return self.get_code_display()


#: A conference usually takes half a day; used when no end time was given.
DEFAULT_LENGTH = timedelta(hours=4)


class Conference(models.Model):
    """The meeting itself. One per case; a reconvened circle gets a new one later."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="conferences")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    remote_link = models.URLField(_("link for taking part from a distance"), blank=True)
    notes = models.TextField(_("practical notes"), blank=True)
    part1_start = models.DateTimeField(_("part 1 (information) started"), null=True, blank=True)
    part1_end = models.DateTimeField(_("part 1 ended"), null=True, blank=True)
    part2_start = models.DateTimeField(_("part 2 (private family time) started"), null=True, blank=True)
    part2_end = models.DateTimeField(_("part 2 ended"), null=True, blank=True)
    part3_start = models.DateTimeField(_("part 3 (plan presentation) started"), null=True, blank=True)
    part3_end = models.DateTimeField(_("part 3 ended"), null=True, blank=True)
    chair = models.ForeignKey("network.CircleMember", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("chair of the private family time"))
    writer = models.ForeignKey("network.CircleMember", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("writes the plan down"))
    created_at = models.DateTimeField(default=timezone.now)
    #: Goes up when the date, time or place changes (the iCalendar SEQUENCE).
    version = models.PositiveIntegerField(default=1)
    held_at = models.DateTimeField(_("recorded as held"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")

    def __str__(self) -> str:
        return f"{self.case} {self.starts_at:%Y-%m-%d}"

    @property
    def end(self):
        """When it ends, or a usual length after the start when no end was given."""
        return self.ends_at or self.starts_at + DEFAULT_LENGTH

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    def part_times(self) -> list[tuple[int, object, object]]:
        return [(part, getattr(self, f"part{part}_start"), getattr(self, f"part{part}_end"))
                for part in (1, 2, 3)]


class Part(models.IntegerChoices):
    INFORMATION = 1, _("Part 1: information")
    PRIVATE = 2, _("Part 2: private family time")
    PRESENTATION = 3, _("Part 3: plan presentation")


class Presence(models.Model):
    """Who was present in which part. A professional is never present in part 2."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="presences")
    part = models.PositiveSmallIntegerField(_("part"), choices=Part.choices)
    member = models.ForeignKey("network.CircleMember", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="presences")
    professional = models.ForeignKey("cases.CaseProfessional", on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="presences")
    remote = models.BooleanField(_("from a distance"), default=False)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(professional__isnull=True))
                | (Q(member__isnull=True) & Q(professional__isnull=False)),
                name="presence_is_member_or_professional",
            ),
            models.CheckConstraint(
                condition=~(Q(part=2) & Q(professional__isnull=False)),
                name="no_professional_in_private_time",
            ),
            models.UniqueConstraint(fields=["conference", "part", "member"], name="presence_member_once"),
            models.UniqueConstraint(fields=["conference", "part", "professional"],
                                    name="presence_professional_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.professional} ({self.part})"


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class Response(models.TextChoices):
    NONE = "", _("No answer yet")
    CONFIRMED = "confirmed", _("Comes")
    REMOTE = "remote", _("Takes part from a distance")
    DECLINED = "declined", _("Does not come")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """An invitation to one person without an account, answered through a personal link."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey("network.CircleMember", on_delete=models.CASCADE, related_name="invitations")
    channels = models.JSONField(_("sent by"), default=list)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("link valid until"))
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    #: The conference's `version` this invitation was last sent for.
    conference_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["conference", "member"], name="invite_once")]
        indexes = [models.Index(fields=["reminder_sent_at", "conference"], name="invite_reminder_due")]

    def __str__(self) -> str:
        return f"{self.member} → {self.conference}"

    @property
    def is_outdated(self) -> bool:
        """The date, time or place changed after this invitation was sent."""
        return self.conference_version < self.conference.version
