"""factory_boy factories for the whole project."""

from __future__ import annotations

from datetime import date

import factory
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, ProfessionalKind, Role, User
from kring.cases.models import (
    Case,
    CasePerson,
    CaseProfessional,
    Channel,
    LegalFrame,
    PersonRole,
    RequesterKind,
    TriggerMoment,
)
from kring.regions.models import Municipality, Region

#: Every staff factory user gets this TOTP secret, so tests can compute codes.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TEST_PASSWORD = "correct horse battery staple"


def region(code: str = "utrecht") -> Region:
    return Region.objects.get(code=code)


def municipality(name: str = "Utrecht") -> Municipality:
    return Municipality.objects.select_related("region").get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.PROFESSIONAL
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TOTP.activate(self, TEST_TOTP_SECRET)
        if create:
            self.save()

    @factory.post_generation
    def in_regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)


class ManagerFactory(UserFactory):
    role = Role.REGIONAL_MANAGER


class ProfessionalFactory(UserFactory):
    role = Role.PROFESSIONAL
    professional_kind = ProfessionalKind.JB
    organisation = "Samen Veilig Utrecht"


class PolicyFactory(UserFactory):
    role = Role.POLICY
    organisation = "Gemeente Utrecht"


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if not create:
            return
        regions = kwargs.pop("regions", None) or [region("utrecht")]
        defaults = {"languages": ["nl"], "gender": "f", "max_cases": 3}
        defaults.update(kwargs)
        profile = CoordinatorProfile.objects.create(user=self, **defaults)
        profile.regions.set(regions)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    municipality = factory.LazyFunction(lambda: municipality("Utrecht"))
    region = factory.LazyAttribute(lambda c: c.municipality.region)
    legal_frame = LegalFrame.VOLUNTARY
    trigger_moment = TriggerMoment.WAITING_LIST
    situation = "Moeder is moe en de kinderen gaan niet naar school."
    channel = Channel.PROFESSIONAL
    requester_kind = RequesterKind.PROFESSIONAL
    requester_name = "Anna de Vries"
    requester_email = "anna@example.org"
    submitted_at = factory.LazyFunction(timezone.now)
    state_changed_at = factory.LazyAttribute(lambda c: c.submitted_at)

    @factory.post_generation
    def deadline(self, create, extracted, **kwargs):
        self.refresh_deadline()
        if create:
            self.save(update_fields=["next_deadline_at"])

    @factory.post_generation
    def family(self, create, extracted, **kwargs):
        if create and extracted is not False:
            CasePerson.objects.create(case=self, role=PersonRole.PARENT, name="Fatima el Amrani",
                                      is_main_person=True)
            CasePerson.objects.create(case=self, role=PersonRole.CHILD, name="Yasmina el Amrani",
                                      birth_date=date(2015, 3, 14))


def link_professional(case: Case, user: User) -> CaseProfessional:
    return CaseProfessional.objects.create(case=case, user=user, name=user.display_name,
                                           organisation=user.organisation, kind=user.professional_kind)
