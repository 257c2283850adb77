from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from kring.accounts.models import Role


def home(request: HttpRequest) -> HttpResponse:
    """The start page: the public entrance, or the work list of a signed-in role."""
    user = request.user
    if user.is_authenticated:
        if user.role == Role.REGIONAL_MANAGER:
            return redirect("inbox")
        if user.role in (Role.COORDINATOR, Role.PROFESSIONAL):
            return redirect("case_list")
        if user.role == Role.ADMIN:
            return redirect("admin:index")
        return render(request, "core/policy_home.html")
    return render(request, "core/home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "core/error.html", {"status": status}, status=status)


def error_400(request, exception=None):
    return _error(request, 400)


def error_403(request, exception=None):
    return _error(request, 403)


def error_404(request, exception=None):
    return _error(request, 404)


def error_500(request):
    return _error(request, 500)
