"""Web accounts on both databases: argon2id hashes, sessions that end, retention floor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from screener.accounts import (
    SESSION_LIFETIME,
    AccountError,
    UserRole,
    audit_retention_days,
    create_user,
    disable_user,
    end_session,
    set_audit_retention_days,
    set_password,
    sign_in,
    signed_in,
)
from screener.settings import Settings
from screener.store import AuditRecord, User, WebSession, utcnow, verify_chain

PASSWORD = "a long enough passphrase"


def test_password_is_stored_as_an_argon2id_hash_and_checked(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        user = create_user(session, username="ada", password=PASSWORD, role="admin")
    with sessions() as session, session.begin():
        stored = session.scalar(select(User).where(User.username == "ada"))
        assert stored is not None and stored.role == "admin"
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
        assert sign_in(session, username="ada", password="not the passphrase") is None
        assert sign_in(session, username="nobody", password=PASSWORD) is None
        outcome = sign_in(session, username="ada", password=PASSWORD)
    assert outcome is not None
    token, who = outcome
    assert (who.user_id, who.username, who.role) == (user.id, "ada", UserRole.ADMIN)
    with sessions() as session:
        # the database keeps the token's hash only
        assert session.scalar(select(WebSession.token_hash)) != token
        again = signed_in(session, token=token)
        assert again is not None and again.csrf_token == who.csrf_token
        assert signed_in(session, token="forged") is None
        events = [r.event for r in session.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
        assert events == ["user-created", "sign-in"]
        assert verify_chain(session).ok


def test_a_session_ends_on_sign_out_expiry_disable_and_password_change(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        create_user(session, username="rita", password=PASSWORD)
        first, _ = sign_in(session, username="rita", password=PASSWORD) or ("", None)
        second, _ = sign_in(session, username="rita", password=PASSWORD) or ("", None)
        third, _ = sign_in(session, username="rita", password=PASSWORD) or ("", None)
    with sessions() as session, session.begin():
        later = utcnow() + SESSION_LIFETIME + timedelta(seconds=1)
        assert signed_in(session, token=first, now=later) is None
        end_session(session, token=first)
        assert signed_in(session, token=first) is None
        assert signed_in(session, token=second) is not None
        set_password(session, username="rita", password="another long passphrase")
        assert signed_in(session, token=second) is None
        assert sign_in(session, username="rita", password=PASSWORD) is None
        fourth, _ = sign_in(session, username="rita", password="another long passphrase") or (
            "",
            None,
        )
        assert signed_in(session, token=fourth) is not None
        disable_user(session, username="rita")
        assert signed_in(session, token=fourth) is None
        assert signed_in(session, token=third) is None
        assert sign_in(session, username="rita", password="another long passphrase") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("ok-name", "short", "recruiter", "at least 12 characters"),
        ("-dash-first", PASSWORD, "recruiter", "a username is"),
        ("has space", PASSWORD, "recruiter", "a username is"),
        ("ok-name", PASSWORD, "owner", "a role is one of"),
    ],
)
def test_bad_accounts_are_refused_with_a_sentence(
    sessions: sessionmaker[Session], username: str, password: str, role: str, message: str
) -> None:
    with sessions() as session, session.begin():
        with pytest.raises(AccountError, match=message):
            create_user(session, username=username, password=password, role=role)
        assert session.scalar(select(User)) is None


def test_a_username_is_taken_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        create_user(session, username="ada", password=PASSWORD)
        with pytest.raises(AccountError, match="taken"):
            create_user(session, username="ada", password=PASSWORD)


def test_retention_set_by_an_admin_overrides_the_environment_and_keeps_six_months(
    sessions: sessionmaker[Session],
) -> None:
    settings = Settings(audit_retention_days=200)
    with sessions() as session, session.begin():
        assert audit_retention_days(session, settings) == 200
        with pytest.raises(AccountError, match="at least 183 days"):
            set_audit_retention_days(session, days=90, by_user_id="u1")
        set_audit_retention_days(session, days=400, by_user_id="u1")
        set_audit_retention_days(session, days=365, by_user_id="u1")
    with sessions() as session:
        assert audit_retention_days(session, settings) == 365
        changes = session.scalars(
            select(AuditRecord).where(AuditRecord.event == "retention-changed")
        ).all()
        assert [r.details for r in changes] == [
            {"audit_retention_days": 400},
            {"audit_retention_days": 365},
        ]
