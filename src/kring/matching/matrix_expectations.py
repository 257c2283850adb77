"""Access-matrix expectations for the matching screen (merged by `core/tests/test_matrix.py`).

Only regional managers may use it; a manager of another region gets the page too, but
sees only the requests of their own regions (tested in `matching/tests/test_views.py`).
Plain (non-htmx) posts answer with a redirect back to the matching page.
"""

from kring.testing.matrix import LOGIN, row

MATRIX = {
    "matching": ("get", "/matching/", None, row(403, anonymous=LOGIN, manager=200, stranger_manager=200)),
    "matching_suggest": ("post", "/matching/suggest/", {}, row(
        403, anonymous=LOGIN, manager=302, stranger_manager=302)),
    "matching_change": ("post", "/matching/change/", {}, row(
        403, anonymous=LOGIN, manager=302, stranger_manager=302)),
    "matching_assign": ("post", "/matching/assign/", {}, row(
        403, anonymous=LOGIN, manager=302, stranger_manager=302)),
}
