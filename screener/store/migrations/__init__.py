"""Alembic migrations of the service database; run with ``screener db upgrade``."""
