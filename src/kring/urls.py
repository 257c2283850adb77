from django.contrib import admin
from django.urls import include, path

from kring.api.api import api
from kring.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("kring.intake.urls")),
    path("", include("kring.cases.urls")),
    path("", include("kring.matching.urls")),
    path("", include("kring.accounts.urls")),
    path("", include("kring.network.urls")),
    path("", include("kring.conferences.urls")),
    path("", include("kring.plans.urls")),
    path("", include("kring.followup.urls")),
    path("", include("kring.family.urls")),
    path("", include("kring.reports.urls")),
    path("", include("kring.privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler400 = "kring.core.views.error_400"
handler403 = "kring.core.views.error_403"
handler404 = "kring.core.views.error_404"
handler500 = "kring.core.views.error_500"
