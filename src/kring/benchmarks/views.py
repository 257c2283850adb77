"""The floor of the page benchmarks: the least a Kring page can do.

It goes through the whole middleware stack (session, sign-in, second factor,
CSP, caching headers), reads one case by primary key and renders a tiny template:
what every real page costs before it does its own work. Pages are measured
against it (`kring bench pages`, `kring bench load`).

It is not a way to read cases: it is only mounted for a benchmark run
(`KRING_BENCH_FLOOR=1`, refused by the settings on a production set-up), it
answers 404 whenever that setting is off, it needs a signed-in staff member
who passed the second factor, and it shows no personal data (the reference
and the state only).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from kring.accounts.models import STAFF_ROLES
from kring.cases.models import Case


@login_required
def floor(request, case_id: int):
    if not getattr(settings, "BENCH_FLOOR", False) or request.user.role not in STAFF_ROLES:
        raise Http404
    case = Case.objects.only("pk", "reference", "state").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return render(request, "benchmarks/floor.html", {"case": case})
