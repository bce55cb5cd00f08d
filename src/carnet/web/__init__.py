"""The local web app: household, imports and timelines, French first."""

from carnet.web.app import create_app

__all__ = ["create_app"]
