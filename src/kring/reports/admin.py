"""Administration of fees and webhook subscribers. Offers and deliveries hold case ids, so they are
not in the admin (the administrator never sees case content)."""

from django.contrib import admin

from .models import CoordinatorFee, WebhookSubscriber


@admin.register(CoordinatorFee)
class CoordinatorFeeAdmin(admin.ModelAdmin):
    list_display = ("region", "amount", "valid_from")
    list_filter = ("region",)
    ordering = ("region__name", "-valid_from")


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)
    filter_horizontal = ("regions",)
    readonly_fields = ("created_at",)
