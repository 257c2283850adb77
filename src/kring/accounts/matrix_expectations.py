"""Access-matrix rows for the pages of issue 9: own sessions (accounts) and the family's
privacy rights (privacy app, merged here because `privacy` is not in the matrix's app list)."""

from kring.testing.matrix import LOGIN, row

MATRIX = {
    "session_list": ("get", "/accounts/sessions/", None, row(200, anonymous=LOGIN)),
    # Ending a session that is not yours (or does not exist) is a 404 for everyone.
    "session_end": ("post", "/accounts/sessions/end/", {"session": "999999"}, row(404, anonymous=LOGIN)),
    "case_privacy": ("get", "/cases/{case_id}/privacy/", None, row(
        404, anonymous=LOGIN, manager=200, coordinator=200, professional=403, linked_professional=403)),
    "case_export": ("get", "/cases/{case_id}/export/", None, row(
        404, anonymous=LOGIN, manager=200, coordinator=200, professional=403, linked_professional=403)),
}
