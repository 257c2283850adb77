from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Absence, ApiToken, ConflictOfInterest, CoordinatorProfile, User, UserSession
from .services import second_factor_reset, user_deactivate


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "regions"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Kring"), {"fields": ["role", "professional_kind", "organisation", "phone", "regions"]}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kring"), {"fields": ["role", "professional_kind", "organisation", "email"]}),
    )
    filter_horizontal = ["regions", "groups", "user_permissions"]
    actions = ["replace_second_factor", "deactivate_and_sign_out"]

    @admin.action(description=_("Replace a lost second factor (asks how you checked who asked)"))
    def replace_second_factor(self, request, queryset):
        """Remove the TOTP of the chosen users after an identity check; logged per user."""
        how = request.POST.get("identity_checked_how", "").strip()
        if "apply" in request.POST:
            done = 0
            for user in queryset:
                try:
                    second_factor_reset(user=user, by=request.user, identity_checked_how=how,
                                        request=request)
                    done += 1
                except ValidationError as exc:
                    self.message_user(request, f"{user}: {' '.join(exc.messages)}", messages.ERROR)
            if done:
                self.message_user(request, ngettext(
                    "The second factor of %(count)d user was removed; they set up a new one at sign-in.",
                    "The second factor of %(count)d users was removed; they set up a new one at sign-in.",
                    done) % {"count": done}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "accounts/admin/second_factor_reset.html", {
            **self.admin_site.each_context(request),
            "title": _("Replace a lost second factor"),
            "users": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description=_("Disable and sign out everywhere"))
    def deactivate_and_sign_out(self, request, queryset):
        for user in queryset:
            user_deactivate(user=user, by=request.user, request=request)
        self.message_user(request, _("The accounts are disabled and their sessions ended."), messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "last_seen", "ip"]
    list_select_related = ["user"]
    readonly_fields = ["user", "session_key", "created", "last_seen", "ip", "user_agent"]
    exclude = ["session_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


class ConflictInline(admin.TabularInline):
    model = ConflictOfInterest
    extra = 0


@admin.register(CoordinatorProfile)
class CoordinatorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "gender", "max_cases", "active"]
    list_filter = ["regions", "gender", "active"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    filter_horizontal = ["regions"]
    inlines = [AbsenceInline, ConflictInline]
    list_select_related = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["key_hash", "created_at", "last_used_at"]
