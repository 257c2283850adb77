"""The REST API, mounted at /api/ (OpenAPI at /api/openapi.json, docs at /api/docs).

Callers authenticate with a bearer token (`Authorization: Bearer kr_...`) or
with their web session (staff with a second factor, CSRF-checked).
"""

from ninja import NinjaAPI

from . import cases, errors, intake, network
from .auth import bearer_auth, session_auth

api = NinjaAPI(
    title="Kring API",
    version="1",
    urls_namespace="api",
    description=(
        "Requests and cases of Kring. Every call is made for one person and is "
        "written to the access log."
    ),
    auth=[bearer_auth, session_auth],
)
errors.install(api)
api.add_router("", intake.router)
api.add_router("", cases.router)
api.add_router("", network.router)
api.add_router("", "kring.api.conferences.router")
api.add_router("", "kring.api.plans.router")
api.add_router("", "kring.api.reports.router")
api.add_router("", "kring.api.followup.router")
