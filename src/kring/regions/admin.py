from django.contrib import admin

from .models import Municipality, Region


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    extra = 0
    fields = ["cbs_code", "name", "province", "note"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "mailbox"]
    search_fields = ["name", "code"]
    inlines = [MunicipalityInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "province", "region"]
    list_filter = ["region", "province"]
    search_fields = ["name", "cbs_code"]
    list_select_related = ["region"]
