"""HTTP API of the screening service (FastAPI). Nothing in the code base imports it."""

from api.app import create_app

__all__ = ["create_app"]
