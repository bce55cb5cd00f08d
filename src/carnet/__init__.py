"""Carnet: give people their health data back and make it useful to them."""

__version__ = "0.1.0"
