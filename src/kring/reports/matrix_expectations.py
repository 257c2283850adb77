"""Expected statuses of the reports pages and API operations for every persona.

Dashboards are for regional managers (their regions) and policy (the country);
the offer register for professionals; fee statements for managers and coordinators.
Policy never reaches a page about a person: the offer and fee pages refuse them.
`/fees/statement/` without `coordinator` is the coordinator's own statement; a manager
must name a coordinator of their regions, so without one it is 404.
"""

from kring.testing.matrix import LOGIN, row

MANAGERS = {"manager": 200, "stranger_manager": 200}
PROFESSIONALS = {"professional": 200, "linked_professional": 200, "stranger_professional": 200}
COORDINATORS = {"coordinator": 200, "stranger_coordinator": 200}

MATRIX = {
    "dashboard": ("get", "/dashboard/", None, row(403, anonymous=LOGIN, **MANAGERS)),
    "dashboard_export": ("get", "/dashboard/export/", None, row(403, anonymous=LOGIN, **MANAGERS)),
    "policy_figures": ("get", "/figures/", None, row(403, anonymous=LOGIN, policy=200)),
    "figures_export": ("get", "/figures/export/", None, row(403, anonymous=LOGIN, policy=200)),
    "offer_list": ("get", "/offers/", None, row(403, anonymous=LOGIN, **PROFESSIONALS)),
    "offer_done": ("post", "/offers/done/", {"offer": "0"}, row(
        403, anonymous=LOGIN, professional=404, linked_professional=404, stranger_professional=404)),
    "offer_new": ("get", "/cases/{case_id}/offers/new/", None, row(
        404, anonymous=LOGIN, professional=200, linked_professional=200, manager=403, coordinator=403)),
    "fee_list": ("get", "/fees/", None, row(403, anonymous=LOGIN, **MANAGERS, **COORDINATORS)),
    "fee_statement": ("get", "/fees/statement/", None, row(
        403, anonymous=LOGIN, manager=404, stranger_manager=404, **COORDINATORS)),
}


def _api(default: int, **by_persona: int) -> dict[str, int]:
    from kring.api.matrix import PERSONAS

    statuses = dict.fromkeys(PERSONAS, default)
    statuses.update(anonymous=401)
    statuses.update(by_persona)
    return statuses


#: The operations of `kring.api.reports`, in the format of `kring.api.matrix.API_OPERATIONS`
#: (plus `query`, a query string to add to the path).
API_OPERATIONS = [
    {
        "operation_id": "report_figures",
        "method": "GET",
        "path": "/api/reports/figures",
        "body": None,
        "expected": _api(403, manager=200, stranger_manager=200, policy=200),
    },
    {
        "operation_id": "report_capacity",
        "method": "GET",
        "path": "/api/reports/capacity",
        "query": "region=utrecht",
        "body": None,
        # The stranger manager's region is Limburg: Utrecht is outside their scope.
        "expected": _api(403, manager=200, stranger_manager=404, policy=200),
    },
]
