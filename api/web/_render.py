"""Server-side HTML: one Jinja2 environment (autoescaped) and the headers every page carries.

Pages load only this app's own stylesheet and script (no CDN, no inline code), which the
Content-Security-Policy enforces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from screener.accounts import SignedIn

__all__ = ["DIMENSIONS", "SECURITY_HEADERS", "STATIC_DIR", "render"]

_HERE = Path(__file__).parent
STATIC_DIR = _HERE / "static"

#: The three screening dimensions, in the order the hiring guide names them.
DIMENSIONS = {
    "mathematical_foundation": "Mathematical foundation",
    "engineering_maturity": "Engineering maturity",
    "domain_application": "Domain application",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages carry personal data
}


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(("html",)),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = _score
    env.globals["DIMENSIONS"] = DIMENSIONS
    return env


_ENV = _env()


def render(
    request: Request,
    template: str,
    *,
    user: SignedIn | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = _ENV.get_template(template).render(request=request, user=user, **context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
