"""Who is signed in, and the CSRF check every state-changing form and upload goes through.

The session cookie is HttpOnly and SameSite=Lax and carries only a random token (the database
keeps its hash). Each session has its own CSRF token, embedded in every form as ``csrf_token``
and sent by scripts as the ``X-CSRF-Token`` header; the sign-in form, which comes before any
session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response

from api.deps import RuntimeDep
from screener.accounts import SESSION_LIFETIME, SignedIn, signed_in

__all__ = [
    "SESSION_COOKIE",
    "AdminForm",
    "AdminUser",
    "CsrfRejected",
    "FormUser",
    "NotAllowed",
    "SignInRequired",
    "UserDep",
    "check_login_csrf",
    "clear_session_cookie",
    "current_user",
    "login_csrf_token",
    "set_login_csrf_cookie",
    "set_session_cookie",
    "sign_in_url",
]

SESSION_COOKIE = "screener_session"
LOGIN_CSRF_COOKIE = "screener_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """No valid session: pages redirect to the sign-in page, scripts get 401."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRejected(Exception):
    """A state-changing request without this session's CSRF token."""


class NotAllowed(Exception):
    """A signed-in user asked for something only an admin may do."""


def current_user(request: Request, runtime: RuntimeDep) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        with runtime.sessions() as session:
            user = signed_in(session, token=token)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return user


UserDep = Annotated[SignedIn, Depends(current_user)]


async def _csrf_checked(request: Request, user: UserDep) -> SignedIn:
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        value = (await request.form()).get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not presented or not secrets.compare_digest(presented, user.csrf_token):
        raise CsrfRejected()
    return user


#: A signed-in user whose request carries the session's CSRF token (every POST).
FormUser = Annotated[SignedIn, Depends(_csrf_checked)]


def _admin(user: FormUser) -> SignedIn:
    if not user.is_admin:
        raise NotAllowed()
    return user


def _admin_reading(user: UserDep) -> SignedIn:
    if not user.is_admin:
        raise NotAllowed()
    return user


#: An admin posting a form (CSRF checked).
AdminForm = Annotated[SignedIn, Depends(_admin)]
#: An admin reading a page.
AdminUser = Annotated[SignedIn, Depends(_admin_reading)]


def login_csrf_token(request: Request) -> str:
    """The double-submit token of the sign-in form: the cookie's, or a new one."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def check_login_csrf(request: Request, presented: str) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not presented or not secrets.compare_digest(expected, presented):
        raise CsrfRejected()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_login_csrf_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
        path="/login", max_age=3600,
    )  # fmt: skip


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
        path="/", max_age=int(SESSION_LIFETIME.total_seconds()),
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def sign_in_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='/')}"
