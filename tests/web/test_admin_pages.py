"""The admin page over real HTTP: users, API keys, ATS integrations, the audit log and its
retention, each through the real forms of a signed-in admin (``ada``) on a server of its own."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest

from embeddings import EmbeddingModel
from tests.web.conftest import PASSWORDS, WebSite, csrf_token, serving

_SECRET = re.compile(r'<p class="secret">([^<]+)</p>')


@pytest.fixture(scope="module")
def site(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebSite]:
    """A server of this module's own: its users, keys and retention change what pages show."""
    with serving(embedding_model, tmp_path_factory.mktemp("admin-pages")) as site:
        yield site


def _sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(form.text)},
    )


def _admin_post(client: httpx.Client, path: str, data: dict[str, object]) -> httpx.Response:
    """Post one of the admin page's forms with the session's CSRF token."""
    token = csrf_token(client.get("/admin").text)
    return client.post(path, data={**data, "csrf_token": token})


def _add_user(client: httpx.Client, username: str, password: str, **extra: str) -> httpx.Response:
    return _admin_post(
        client, "/admin/users",
        {"username": username, "role": "recruiter", "password": password,
         "password_again": password, **extra},
    )  # fmt: skip


def test_a_recruiter_gets_the_admins_only_page(site: WebSite) -> None:
    with site.signed_in("rita") as client:
        token = csrf_token(client.get("/batches").text)
        for response in (
            client.get("/admin"),
            client.get("/admin/audit.jsonl"),
            client.post("/admin/retention", data={"days": "400", "csrf_token": token}),
            client.post(
                "/admin/keys", data={"name": "mine", "scopes": "admin", "csrf_token": token}
            ),  # fmt: skip
        ):
            assert response.status_code == 403, response.request.url
            assert "Admins only" in response.text
            assert response.headers["content-type"].startswith("text/html")
        assert 'href="/admin"' not in client.get("/batches").text  # no menu entry either


def test_an_admin_creates_a_user_who_can_sign_in_and_disables_them(site: WebSite) -> None:
    password = "bea-recruiter-passphrase"
    with site.signed_in("ada") as admin:
        created = _add_user(admin, "bea", password)
        assert created.status_code == 200 and created.url.path == "/admin"
        assert "The user was created and can sign in now." in created.text
        assert "<td>bea</td>" in created.text
        with site.client() as bea:
            assert _sign_in(bea, "bea", password).url.path == "/batches"
            assert "Signed in as <strong>bea</strong> (recruiter)" in bea.get("/batches").text
            token = csrf_token(admin.get("/admin").text)
            asked = admin.post("/admin/users/bea/disable", data={"csrf_token": token})
            assert asked.status_code == 200
            assert '<h1 id="confirm-heading">Disable bea?</h1>' in asked.text
            assert 'name="confirm" value="yes"' in asked.text
            assert 'href="/admin#users"' in asked.text
            assert bea.get("/batches").status_code == 200  # nothing happened yet
            disabled = admin.post(
                "/admin/users/bea/disable", data={"csrf_token": token, "confirm": "yes"}
            )
            assert "The user was disabled" in disabled.text
            # her session ended with the account, and she cannot sign in again
            assert bea.get("/batches", follow_redirects=False).status_code == 303
            assert _sign_in(bea, "bea", password).status_code == 401
        self_disable = admin.post("/admin/users/ada/disable", data={"csrf_token": token})
        assert self_disable.status_code == 409
        assert "You cannot disable your own account" in self_disable.text
        assert admin.get("/admin").status_code == 200  # still signed in


def test_user_form_problems_are_sentences(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        short = _add_user(admin, "carla", "short")
        assert short.status_code == 422
        assert "The password needs at least 12 characters." in short.text
        assert 'value="carla"' in short.text  # the username is kept for the next try
        taken = _add_user(admin, "rita", "another-long-passphrase")
        assert taken.status_code == 422 and "The username 'rita' is taken." in unescape(taken.text)
        differ = _add_user(admin, "carla", "a-long-passphrase", password_again="b-long-passphrase")
        assert differ.status_code == 422 and "The two passwords differ" in differ.text
        bad_name = _add_user(admin, "no spaces please", "a-long-passphrase")
        assert bad_name.status_code == 422 and "A username is 2-100 letters" in bad_name.text
        assert "<td>carla</td>" not in admin.get("/admin").text


def test_an_api_key_is_shown_once_authenticates_and_stops_when_revoked(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        none_chosen = _admin_post(admin, "/admin/keys", {"name": "nightly export"})
        assert none_chosen.status_code == 422
        assert "Choose at least one scope: screen, read, admin." in none_chosen.text
        created = _admin_post(admin, "/admin/keys", {"name": "nightly export", "scopes": ["read"]})
        assert created.status_code == 200
        assert "This key is shown only once" in created.text
        found = _SECRET.search(created.text)
        assert found, "the new key is not on the page"
        key = found.group(1)
        assert key not in admin.get("/admin").text  # shown once only
        key_id = key.split("_")[1]
        with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {key}"}) as api:
            roles = api.get("/v1/roles")
            assert roles.status_code == 200 and len(roles.json()["data"]) >= 6
            asked = _admin_post(admin, f"/admin/keys/{key_id}/revoke", {})
            assert "Revoke the key nightly export?" in asked.text
            assert api.get("/v1/roles").status_code == 200  # nothing happened yet
            revoked = _admin_post(admin, f"/admin/keys/{key_id}/revoke", {"confirm": "yes"})
            assert "The API key was revoked" in revoked.text
            assert api.get("/v1/roles").status_code == 401
        again = _admin_post(admin, f"/admin/keys/{key_id}/revoke", {})
        assert again.status_code == 404 and f"No active API key '{key_id}'." in unescape(again.text)
        missing = _admin_post(admin, "/admin/keys/nosuchkey/revoke", {"confirm": "yes"})
        assert missing.status_code == 404 and "No API key 'nosuchkey'." in unescape(missing.text)
        records = [json.loads(line) for line in admin.get("/admin/audit.jsonl").text.splitlines()]
    key_events = [(r["event"], r["source"]) for r in records
                  if (r["details"] or {}).get("key_id") == key_id]  # fmt: skip
    assert key_events == [("api-key-created", "web"), ("api-key-revoked", "web")]


def test_retention_below_six_months_is_refused_and_365_is_saved(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        before = admin.get("/admin").text
        short = _admin_post(admin, "/admin/retention", {"days": "90"})
        assert short.status_code == 422
        assert "Audit records are kept at least 183 days (six months)." in short.text
        assert _admin_post(admin, "/admin/retention", {"days": "soon"}).status_code == 422
        assert "<strong>183 days</strong>" in before
        saved = _admin_post(admin, "/admin/retention", {"days": "365"})
        assert saved.status_code == 200 and "The audit retention was saved." in saved.text
        assert "<strong>365 days</strong>" in admin.get("/admin").text


def test_the_audit_download_holds_the_user_created_record(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        assert _add_user(admin, "dora", "dora-recruiter-passphrase").status_code == 200
        page = admin.get("/admin").text
        assert "The hash chain verifies" not in page and 'href="/admin?verify=1#audit"' in page
        checked = admin.get("/admin?verify=1").text
        assert "The hash chain verifies" in checked and 'href="/admin/audit.jsonl"' in checked
        download = admin.get("/admin/audit.jsonl")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith('attachment; filename="audit-')
    records = [json.loads(line) for line in download.text.splitlines()]
    created = [r for r in records if r["event"] == "user-created"]
    dora = next(r for r in created if r["details"]["username"] == "dora")
    assert {"username": "dora", "role": "recruiter"}.items() <= dora["details"].items()
    ada = next(r for r in created if r["details"]["username"] == "ada")  # from the test set-up
    assert (dora["source"], dora["caller_key_id"]) == ("web", ada["details"]["user_id"])
    assert (ada["source"], ada["caller_key_id"]) == ("cli", None)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(records, records[1:], strict=False))


def test_an_integration_shows_its_secrets_once_and_maps_jobs(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        bad = _admin_post(
            admin, "/admin/integrations",
            {"provider": "greenhouse", "name": "Greenhouse", "callback_url": "ftp://x"},
        )  # fmt: skip
        assert bad.status_code == 422
        assert "Callback URL: must be an absolute http(s) URL" in bad.text
        lever = _admin_post(admin, "/admin/integrations", {"provider": "lever", "name": "Lever"})
        assert lever.status_code == 422 and "A Lever integration needs" in lever.text
        created = _admin_post(
            admin, "/admin/integrations",
            {"provider": "greenhouse", "name": "Greenhouse production",
             "callback_url": "https://ats.example/hooks/screening"},
        )  # fmt: skip
        assert created.status_code == 200 and "shown only once" in created.text
        webhook_url, inbound, outbound = _SECRET.findall(created.text)
        assert re.fullmatch(rf"{site.url}/v1/webhooks/greenhouse/[0-9a-f]{{32}}", webhook_url)
        assert outbound.startswith("whsec_") and len(inbound) == 64
        integration_id = webhook_url.rsplit("/", 1)[1]
        page = admin.get("/admin").text
        assert inbound not in page and outbound not in page
        assert "https://ats.example/hooks/screening" in page and "No deliveries yet." in page
        mapped = _admin_post(
            admin, f"/admin/integrations/{integration_id}/mappings",
            {"ats_job_id": "4012345", "role_id": "nlp-engineer", "market": "tr"},
        )  # fmt: skip
        assert "The job mapping was saved" in mapped.text
        assert re.search(
            r"<code>4012345</code></td><td><a href=\"/roles/nlp-engineer\">nlp-engineer</a></td>"
            r"<td>Turkey</td>", mapped.text,
        )  # fmt: skip
        empty = _admin_post(
            admin, f"/admin/integrations/{integration_id}/mappings",
            {"ats_job_id": " ", "role_id": "nlp-engineer", "market": "de"},
        )  # fmt: skip
        assert empty.status_code == 422 and "Give the ATS job's id" in unescape(empty.text)
        log = admin.get("/admin/audit.jsonl").text
    # who connected an ATS and which role screens its job are on record, the secrets are not
    assert inbound not in log and outbound not in log
    records = [json.loads(line) for line in log.splitlines()]
    ada = next(r for r in records if r["event"] == "user-created")["details"]["user_id"]
    [created_record] = [r for r in records if r["event"] == "integration-created"]
    assert (created_record["source"], created_record["caller_key_id"]) == ("web", ada)
    assert created_record["details"]["integration_id"] == integration_id
    assert created_record["details"]["callback_url"] == "https://ats.example/hooks/screening"
    [mapped_record] = [r for r in records if r["event"] == "job-mapped"]
    assert mapped_record["role_id"] == "nlp-engineer"
    assert mapped_record["details"] == {
        "integration_id": integration_id, "ats_job_id": "4012345", "market": "tr",
        "previous": None,
    }  # fmt: skip


def test_admin_forms_without_the_csrf_token_are_refused(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        for path, data in (
            ("/admin/users", {"username": "eve", "role": "admin", "password": "x" * 20,
                              "password_again": "x" * 20}),
            ("/admin/users/rita/disable", {}),
            ("/admin/keys", {"name": "sneaky", "scopes": "admin"}),
            ("/admin/retention", {"days": "200"}),
            ("/admin/integrations", {"provider": "greenhouse", "name": "sneaky"}),
        ):  # fmt: skip
            refused = admin.post(path, data=data)
            assert refused.status_code == 403 and "Form refused" in refused.text, path
        page = admin.get("/admin").text
        assert "<td>eve</td>" not in page and "sneaky" not in page
        assert "<strong>200 days</strong>" not in page
    with site.client() as rita:  # rita is still enabled
        assert _sign_in(rita, "rita", PASSWORDS["rita"]).url.path == "/batches"
