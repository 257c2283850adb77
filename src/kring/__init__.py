"""Kring: family group plans and family group conferences for Dutch youth care."""

__version__ = "0.1.0"
