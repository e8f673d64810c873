"""Shared OpenAPI response documentation."""

from __future__ import annotations

from typing import Any

from api.schemas import Problem

__all__ = ["problems"]

_DESCRIPTIONS = {
    400: "The upload cannot be used.",
    401: "No API key, or an unknown or revoked one.",
    403: "The API key lacks the scope.",
    404: "Not found; an unknown role lists the valid ones.",
    409: "Conflicts with stored state.",
    413: "Over an upload limit; the limit is in the problem.",
    422: "Invalid request, or a CV file that cannot be read (``kind`` says why).",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting problem+json errors."""
    return {
        status: {"model": Problem, "description": _DESCRIPTIONS.get(status, "Error.")}
        for status in (401, 403, *statuses)
    }
