"""The recruiter's path in a real browser: Debian's Chromium driven by Playwright.

Sign in → upload three real CVs and a broken file → the ranking fills in live → the broken
file shows its error → open the top candidate → evidence quotes are visible and link into the
CV text → record a decision → it is in the history and in the audit export. Screenshots of the
ranking and candidate pages land in ``test-artifacts/web/``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import CV_DIR
from tests.web.conftest import ARTIFACTS, PASSWORDS, WebSite

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("SCREENER_TEST_CHROMIUM", "/usr/bin/chromium"))
# this machine kind has no network beyond the registries: keep Chromium from calling home
_CHROMIUM_ARGS = [
    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip
REAL_CVS = (
    "resumematcher_harvey_dent_mle.pdf",
    "resumematcher_john_doe.pdf",
    "sb2nov_sourabh_bajaj_resume.pdf",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: run scripts/setup.sh --browser"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=_CHROMIUM_ARGS,
            chromium_sandbox=False,
        )  # fmt: skip
        yield browser
        browser.close()


def _sign_in(page: object, url: str, username: str) -> None:
    page.goto(url + "/batches")  # type: ignore[attr-defined]
    sync_api.expect(page).to_have_url(re.compile(r"/login\?next=/batches$"))
    page.get_by_label("Username").fill(username)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORDS[username])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    sync_api.expect(page).to_have_url(url + "/batches")


def test_upload_rank_explain_decide_and_audit(browser: object, web_site: WebSite) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    expect = sync_api.expect
    _sign_in(page, web_site.url, "rita")

    page.get_by_label("Role").select_option("ml-engineer")
    page.get_by_label("Market").select_option("de")
    page.get_by_label(re.compile("^CV files")).set_input_files(
        [
            {"name": name, "mimeType": "application/pdf", "buffer": (CV_DIR / name).read_bytes()}
            for name in REAL_CVS
        ]
        + [{"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n1 0 obj"}]
    )
    expect(page.locator("#chosen li")).to_have_count(4)
    page.get_by_role("button", name="Screen these CVs").click()

    expect(page).to_have_url(re.compile(r"/batches/[0-9a-f]{32}$"), timeout=60_000)
    status = page.locator('#batch-progress [data-field="status"]')
    expect(status).to_have_text("completed", timeout=240_000)
    expect(page.locator('#batch-progress [data-field="done"]')).to_have_text("3")
    expect(page.locator('#batch-progress [data-field="failed"]')).to_have_text("1")
    rows = page.locator("#ranking-rows tr")
    expect(rows).to_have_count(4)
    broken = page.locator('#ranking-rows tr[data-file="broken.pdf"]')
    expect(broken.locator(".row-error")).to_be_visible()
    expect(broken).to_contain_text("failed")
    ranked = page.locator('#ranking-rows tr[data-status="done"]')
    expect(ranked).to_have_count(3)
    fits = [float(v) for v in ranked.evaluate_all("rows => rows.map(r => r.dataset.fit)")]
    assert fits == sorted(fits, reverse=True)
    page.screenshot(path=str(ARTIFACTS / "ranking.png"), full_page=True)

    # sorting and filtering happen in the page
    page.get_by_role("button", name="Fit", exact=True).click()
    first_file = rows.first.get_attribute("data-file")
    page.get_by_role("button", name="Fit", exact=True).click()
    assert rows.first.get_attribute("data-file") != first_file
    page.get_by_label("Status").select_option("failed")
    expect(page.locator("#ranking-rows tr:visible")).to_have_count(1)
    page.get_by_label("Status").select_option("")

    top = page.locator('#ranking-rows tr[data-rank="1"] a')
    top_file = top.inner_text()
    top.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(top_file)
    expect(page.get_by_role("note").first).to_contain_text(
        "AI-assisted assessment — a person decides"
    )
    quotes = page.locator("blockquote.evidence")
    expect(quotes.first).to_be_visible()
    assert quotes.count() >= 3
    page.get_by_role("link", name="show in CV").first.click()
    expect(page.locator("mark.current")).to_have_count(1)
    expect(page.locator("mark.current")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "candidate.png"), full_page=True)

    reason = "Shipped a production ML platform; invite to the technical interview."
    page.get_by_label("Advance").check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Record decision").click()
    history = page.locator("ol.history li").first
    expect(history).to_contain_text(reason)
    expect(history).to_contain_text("advance by rita")
    candidate_id = page.url.split("/candidates/")[1].split("?")[0].split("#")[0]
    context.close()

    admin = browser.new_context()  # type: ignore[attr-defined]
    admin_page = admin.new_page()
    _sign_in(admin_page, web_site.url, "ada")
    export = admin_page.request.get(web_site.url + "/admin/audit.jsonl")
    assert export.ok
    records = [json.loads(line) for line in export.text().splitlines()]
    decisions = [r for r in records if r["event"] == "decision"]
    assert any(r["candidate_id"] == candidate_id and r["details"]["decision"] == "advance"
               for r in decisions)  # fmt: skip
    admin.close()


def test_signing_in_by_keyboard_alone(browser: object, web_site: WebSite) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    expect = sync_api.expect
    page.goto(web_site.url + "/")
    expect(page.get_by_label("Username")).to_be_focused()  # the sign-in page starts there
    page.keyboard.type("rita")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORDS["rita"])
    page.keyboard.press("Enter")
    expect(page).to_have_url(web_site.url + "/batches")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(web_site.url + "/batches")
    expect(page).to_have_url(re.compile(r"/login\?next=/batches$"))
    context.close()
