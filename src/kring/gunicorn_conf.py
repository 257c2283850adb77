"""gunicorn settings for `kring serve` (and `kring bench load`), passed with `--config python:…`."""

from __future__ import annotations


def post_worker_init(worker) -> None:
    """Read the PDF fonts before the worker takes requests: the first plan PDF is then fast."""
    from kring.plans import fonts

    fonts.warm()
