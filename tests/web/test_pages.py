"""The web pages over real HTTP (no browser): sign-in, sessions, CSRF, errors as sentences."""

from __future__ import annotations

import time

import httpx

from tests.api.conftest import CV_DIR
from tests.web.conftest import PASSWORDS, WebSite, csrf_token


def _upload(client: httpx.Client, files: list[tuple[str, bytes]], role: str = "ml-engineer",
            *, token: str, accept: str = "application/json") -> httpx.Response:  # fmt: skip
    return client.post(
        "/batches",
        data={"role": role, "market": "de"},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers={"X-CSRF-Token": token, "Accept": accept},
    )


def _wait(client: httpx.Client, batch_url: str) -> dict[str, object]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state: dict[str, object] = client.get(batch_url + "/progress").json()
        if state["status"] == "completed":
            return state
        time.sleep(0.3)
    raise AssertionError("the batch did not complete in 240 s")


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(web_site: WebSite) -> None:
    with web_site.client() as client:
        for path in ("/", "/batches", "/candidates/abc", "/roles", "/admin"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        form = client.get("/batches")  # followed: the sign-in page
        assert form.url.path == "/login" and 'name="next" value="/batches"' in form.text
        response = client.post(
            "/login",
            data={"username": "rita", "password": PASSWORDS["rita"],
                  "csrf_token": csrf_token(form.text), "next": "/batches"},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303 and response.headers["location"] == "/batches"
        cookie = next(c for c in response.headers.get_list("set-cookie")
                      if c.startswith("screener_session="))  # fmt: skip
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        # a script's request without a session gets 401, not the sign-in page
        with web_site.client() as anonymous:
            progress = anonymous.get("/batches/x/progress", headers={"Accept": "application/json"})
        assert progress.status_code == 401


def test_sign_in_refuses_wrong_passwords_forged_forms_and_foreign_redirects(
    web_site: WebSite,
) -> None:
    with web_site.client() as client:
        form = client.get("/login")
        token = csrf_token(form.text)
        wrong = client.post("/login", data={"username": "rita", "password": "guess-guess-guess",
                                            "csrf_token": token})  # fmt: skip
        assert wrong.status_code == 401
        assert "The username or password is not right" in wrong.text
        assert "screener_session" not in client.cookies
        forged = client.post("/login", data={"username": "rita", "password": PASSWORDS["rita"],
                                             "csrf_token": "made-up"})  # fmt: skip
        assert forged.status_code == 403 and "Form refused" in forged.text
        away = client.post(
            "/login",
            data={"username": "rita", "password": PASSWORDS["rita"], "csrf_token": token,
                  "next": "//evil.example/phish"},
            follow_redirects=False,
        )  # fmt: skip
        assert away.headers["location"] == "/batches"
    with web_site.client() as fresh:  # no sign-in cookie: the form did not come from this site
        refused = fresh.post("/login", data={"username": "rita", "password": PASSWORDS["rita"],
                                             "csrf_token": token})  # fmt: skip
        assert refused.status_code == 403


def test_every_form_post_needs_the_session_csrf_token(web_site: WebSite) -> None:
    with web_site.signed_in("rita") as client:
        page = client.get("/batches")
        token = csrf_token(page.text)
        cv = (CV_DIR / "resumematcher_john_doe.pdf").read_bytes()
        for path, data in (
            ("/logout", {}),
            ("/candidates/abc/decisions", {"decision": "advance", "reason": "good fit"}),
            ("/batches", {"role": "ml-engineer", "market": "de"}),
        ):
            missing = client.post(path, data=data, files={"files": ("cv.pdf", cv)}
                                  if path == "/batches" else None)  # fmt: skip
            assert missing.status_code == 403, path
            assert "Form refused" in missing.text
            wrong = client.post(path, data={**data, "csrf_token": token[::-1]})
            assert wrong.status_code == 403, path
        assert client.get("/batches").status_code == 200  # still signed in
        signed_out = client.post("/logout", data={"csrf_token": token})
        assert signed_out.url.path == "/login"
        assert client.get("/batches", follow_redirects=False).status_code == 303


def test_upload_problems_are_sentences_and_lose_nothing(web_site: WebSite) -> None:
    with web_site.signed_in("rita") as client:
        token = csrf_token(client.get("/batches").text)
        empty = _upload(client, [], token=token, accept="text/html")
        assert empty.status_code == 400 and "Choose at least one CV file" in empty.text
        unknown = _upload(client, [("cv.txt", b"Python engineer")], role="astronaut", token=token,
                          accept="text/html")  # fmt: skip
        assert unknown.status_code == 404
        assert "text/html" in unknown.headers["content-type"] and "astronaut" in unknown.text
        assert "Traceback" not in unknown.text
        as_json = _upload(client, [("cv.txt", b"Python engineer")], role="astronaut", token=token)
        assert as_json.status_code == 404 and "astronaut" in as_json.json()["detail"]
        missing = client.get("/batches/no-such-batch")
        assert missing.status_code == 404 and "No batch 'no-such-batch'." in missing.text.replace(
            "&#39;", "'"
        )
        assert client.get("/candidates/nobody").status_code == 404
        limit = web_site.settings.upload_max_bytes
        huge = _upload(client, [("big.txt", b"x" * (limit + 1))], token=token, accept="text/html")
        assert huge.status_code == 413 and "text/html" in huge.headers["content-type"]
        assert f"the limit is {limit} bytes" in huge.text


def test_ranking_candidate_and_decision_without_a_browser(web_site: WebSite) -> None:
    with web_site.signed_in("rita") as client:
        token = csrf_token(client.get("/batches").text)
        files = [
            (name, (CV_DIR / name).read_bytes())
            for name in ("resumematcher_john_doe.pdf", "resumematcher_harvey_dent_mle.pdf")
        ]
        files.append(("broken.pdf", b"%PDF-1.7\n1 0 obj <<"))
        accepted = _upload(client, files, token=token)
        assert accepted.status_code == 202 and accepted.json()["total"] == 3
        batch_url = accepted.json()["url"]
        assert _wait(client, batch_url) | {"status": ""} == {
            "status": "",
            "total": 3,
            "done": 2,
            "failed": 1,
            "queued": 0,
            "running": 0,
        }
        listed = client.get("/batches").text
        row = listed.split(f'href="{batch_url}"')[1].split("</tr>")[0]
        cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
        assert cells == ["ml-engineer", "DE", "3", "2", "1", "completed"]
        page = client.get(batch_url)
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.text.index("resumematcher_harvey_dent_mle.pdf") < page.text.index(
            "resumematcher_john_doe.pdf"
        )  # the higher fit comes first
        assert 'class="error row-error"' in page.text and "broken.pdf" in page.text
        csv = client.get(batch_url + "/results.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].startswith("rank,file,fit,mathematical_foundation")
        assert len(csv.text.splitlines()) == 4
        rows = client.get(batch_url + "/rows")
        assert rows.text.lstrip().startswith('<tbody id="ranking-rows">')

        link = page.text.split('href="/candidates/', 1)[1].split('"', 1)[0].replace("&amp;", "&")
        candidate_path = "/candidates/" + link
        candidate = client.get(candidate_path)
        assert candidate.status_code == 200
        assert "AI-assisted assessment — a person decides." in candidate.text
        assert '<blockquote class="evidence">' in candidate.text
        assert '<mark id="ev-1"' in candidate.text
        assert "Contact details" not in candidate.text  # a recruiter does not see contacts
        assert "Salary band (Germany)" in candidate.text

        candidate_id, screening_id = link.split("?screening=")
        bad = client.post(f"/candidates/{candidate_id}/decisions",
                          data={"decision": "override", "reason": "Better than scored",
                                "screening_id": screening_id, "csrf_token": token})  # fmt: skip
        assert bad.status_code == 422 and "An override needs a corrected fit." in bad.text
        saved = client.post(f"/candidates/{candidate_id}/decisions",
                            data={"decision": "override", "override_fit": "70",
                                  "reason": "Led production RAG work the CV undersells",
                                  "screening_id": screening_id, "csrf_token": token})  # fmt: skip
        assert saved.status_code == 200 and saved.url.path == f"/candidates/{candidate_id}"
        history = saved.text.split('class="history"', 1)[1]
        assert "Led production RAG work the CV undersells" in history and "by rita" in history
        assert "(corrected fit 70)" in history

        with web_site.signed_in("ada") as admin:
            assert "Contact details" in admin.get(candidate_path).text
