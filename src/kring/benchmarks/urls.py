"""The site's URLs plus the benchmark floor; the settings use this module only when
`KRING_BENCH_FLOOR` is on (and `kring bench pages` selects it for its own run)."""

from django.urls import path

from kring import urls as site
from kring.benchmarks import views

FLOOR_PATH = "bench/floor/{case_id}/"

urlpatterns = [
    path("bench/floor/<int:case_id>/", views.floor, name="bench_floor"),
    *site.urlpatterns,
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
