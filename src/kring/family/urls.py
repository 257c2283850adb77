from django.urls import path

from . import views

urlpatterns = [
    path("gezin/", views.home, name="family_home"),
    path("gezin/inloggen/", views.sign_in, name="family_sign_in"),
    path("gezin/inloggen/code/", views.sign_in_code, name="family_sign_in_code"),
    path("gezin/inloggen/link/<str:token>/", views.sign_in_link, name="family_sign_in_link"),
    path("gezin/kies/", views.choose, name="family_choose"),
    path("gezin/uitloggen/", views.sign_out, name="family_sign_out"),
    path("gezin/kring/", views.circle, name="family_circle"),
    path("gezin/plan/", views.plan, name="family_plan"),
    path("gezin/plan/pdf/", views.plan_pdf, name="family_plan_pdf"),
    path("gezin/toestemming/", views.consent, name="family_consent"),
    path("gezin/wie-keek/", views.access_log, name="family_access_log"),
    path("gezin/zelf/", views.self_start, name="family_self_start"),
    path("gezin/zelf/<slug:step>/", views.self_step, name="family_self_step"),
    path("gezin/netwerk/<str:token>/", views.member, name="family_member"),
]
