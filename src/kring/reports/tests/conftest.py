from kring.api.tests.conftest import access_log, api, token_api  # noqa: F401
