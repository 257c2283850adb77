"""Shared test helpers: factories, personas and small utilities."""
