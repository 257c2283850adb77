from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Absence, ApiToken, ConflictOfInterest, CoordinatorProfile, User


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
