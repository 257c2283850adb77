"""The family portal's URLs in the access matrix (merged by `core/tests/test_matrix.py`).

Families have no account: staff accounts are strangers here like anonymous
visitors. Portal pages show everyone without a family session the family
sign-in form in place (200); personal links that are not valid give 404.
"""

from kring.testing.matrix import row

_portal = row(200)

MATRIX = {
    "family_home": ("get", "/gezin/", None, _portal),
    "family_sign_in": ("get", "/gezin/inloggen/", None, row(200)),
    "family_sign_in_code": ("get", "/gezin/inloggen/code/", None, _portal),
    "family_sign_in_link": ("get", "/gezin/inloggen/link/not-a-token/", None, row(404)),
    "family_choose": ("get", "/gezin/kies/", None, _portal),
    "family_sign_out": ("post", "/gezin/uitloggen/", {}, _portal),
    "family_circle": ("get", "/gezin/kring/", None, _portal),
    "family_plan": ("get", "/gezin/plan/", None, _portal),
    "family_plan_pdf": ("get", "/gezin/plan/pdf/", None, _portal),
    "family_consent": ("get", "/gezin/toestemming/", None, _portal),
    "family_access_log": ("get", "/gezin/wie-keek/", None, _portal),
    "family_self_start": ("get", "/gezin/zelf/", None, row(200)),
    "family_self_step": ("get", "/gezin/zelf/problem/", None, _portal),
    "family_member": ("get", "/gezin/netwerk/not-a-token/", None, row(404)),
}
