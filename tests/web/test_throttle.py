"""Failed sign-ins: five for one username lock it for the window, over real HTTP too."""

from __future__ import annotations

from api.web._throttle import SignInThrottle
from screener.accounts import create_user
from screener.store import make_engine, make_sessions
from tests.web.conftest import WebSite, csrf_token


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_lock_a_username_and_a_client_until_they_age_out() -> None:
    clock = _Clock()
    throttle = SignInThrottle(user_limit=3, client_limit=5, window=60, clock=clock)
    for _ in range(3):
        assert throttle.wait_seconds("Ada", "10.0.0.1") == 0
        throttle.failed("Ada", "10.0.0.1")
        clock.now += 1
    assert throttle.wait_seconds("ada", "10.0.0.9") == 57  # the username, any client, any case
    assert throttle.wait_seconds("rita", "10.0.0.1") == 0  # the client has 3 of its 5
    throttle.failed("bob", "10.0.0.1")
    throttle.failed("eve", "10.0.0.1")
    assert throttle.wait_seconds("rita", "10.0.0.1") == 57  # now the client is locked too
    assert throttle.wait_seconds("rita", "10.0.0.2") == 0
    clock.now += 57
    assert throttle.wait_seconds("ada", "10.0.0.9") == 0  # the oldest failure aged out
    throttle.failed("carol", "10.0.0.3")
    throttle.succeeded("carol")
    assert throttle.wait_seconds("carol", "10.0.0.3") == 0


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(web_site: WebSite) -> None:
    engine = make_engine(web_site.settings.database_url)
    with make_sessions(engine)() as session, session.begin():
        create_user(session, username="target", password="the right passphrase")
    engine.dispose()
    with web_site.client() as client:
        token = csrf_token(client.get("/login").text)

        def attempt(password: str) -> int:
            form = {"username": "target", "password": password, "csrf_token": token}
            return client.post("/login", data=form, follow_redirects=False).status_code

        assert [attempt(f"guess number {i}") for i in range(5)] == [401] * 5
        locked = client.post(
            "/login",
            data={"username": "target", "password": "the right passphrase", "csrf_token": token},
        )
        assert locked.status_code == 429
        assert "Too many failed sign-ins. Try again in 15 minute(s)" in locked.text
        assert "screener_session" not in client.cookies
