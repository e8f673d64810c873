"""The roles pages over real HTTP: the packaged roles, and a custom role drafted from a real job
description (text and PDF), reviewed by a recruiter and saved by an admin."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser

import httpx
import pytest

from embeddings import EmbeddingModel
from tests.conftest import REPO_ROOT
from tests.web.conftest import WebSite, csrf_token, serving

DATA = REPO_ROOT.parent / "shared" / "data"
JD_PDFS = DATA / "resume-matcher-jd-pdfs"
SEED_ROLES = {
    "computer-vision-engineer": "Computer Vision Engineer",
    "data-scientist": "Data Scientist",
    "llm-genai-engineer": "LLM / GenAI Engineer",
    "ml-engineer": "ML Engineer",
    "mlops-engineer": "MLOps Engineer",
    "nlp-engineer": "NLP Engineer",
}


@pytest.fixture(scope="module")
def site(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebSite]:
    """A server of this module's own: the roles it saves change every role list."""
    with serving(embedding_model, tmp_path_factory.mktemp("role-pages")) as site:
        yield site


@pytest.fixture(scope="module")
def ml_engineer_posting() -> str:
    """A real 2020 Glassdoor "Machine Learning Engineer" posting (row 156) asking for Python,
    C++, Java, SQL, Spark, Docker and PyTorch or TensorFlow."""
    with (DATA / "glassdoor-ds-jobs" / "glassdoor_jobs.csv").open(encoding="utf-8") as f:
        return next(row["Job Description"] for row in csv.DictReader(f) if row[""] == "156")


class _Forms(HTMLParser):
    """Every form's fields by its action: what a browser would send from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._action = values.get("action") or ""
            self.forms[self._action] = {}
        elif tag == "input" and self._action is not None and values.get("name"):
            self.forms[self._action][str(values["name"])] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


def _forms(html: str) -> dict[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _draft(
    client: httpx.Client, role_id: str, *, text: str = "", name: str = "",
    file: tuple[str, bytes] | None = None,
) -> httpx.Response:  # fmt: skip
    token = csrf_token(client.get("/roles/new").text)
    return client.post(
        "/roles/draft",
        data={"role_id": role_id, "name": name, "text": text, "csrf_token": token},
        # a form without a chosen file sends an empty part, as a browser does
        files={"file": file or ("", b"")},
    )


def test_the_roles_page_lists_the_six_packaged_roles_with_their_weights(site: WebSite) -> None:
    with site.signed_in("rita") as client:
        page = client.get("/roles")
        assert page.status_code == 200
        for role_id, name in SEED_ROLES.items():
            assert f'<a href="/roles/{role_id}">{name}</a>' in page.text
        assert page.text.count('<span class="tag">packaged</span>') == 6
        assert '<th scope="col">Mathematical foundation</th>' in page.text
        # ml-engineer: 25% mathematical foundation, 45% engineering maturity, 30% domain
        row = page.text.split('href="/roles/ml-engineer"')[1].split("</tr>")[0]
        assert row.index("25%") < row.index("45%") < row.index("30%")
        role = client.get("/roles/ml-engineer")
        assert role.status_code == 200 and "<h1>ML Engineer</h1>" in role.text
        for market in ("Germany", "Turkey", "United Arab Emirates", "United States"):
            assert f"<td>{market}</td>" in role.text
        assert "EUR " in role.text and "Packaged role." in role.text
        assert "required" in role.text and "plus" in role.text
        missing = client.get("/roles/astronaut")
        assert missing.status_code == 404 and "astronaut" in missing.text


def test_a_role_drafted_from_a_real_posting_is_reviewed_then_saved_by_an_admin(
    site: WebSite, ml_engineer_posting: str
) -> None:
    role_id = "stratagem-mle"
    with site.signed_in("rita") as recruiter:
        review = _draft(recruiter, role_id, text=ml_engineer_posting, name="Stratagem MLE")
        assert review.status_code == 200, review.text
        text = unescape(review.text)
        assert "Review the draft: Stratagem MLE" in text
        for skill in ("Python", "PyTorch / TensorFlow", "Spark / distributed data", "SQL"):
            assert f"<strong>{skill}</strong>" in text
        assert 'href="/roles/ml-engineer">ml-engineer</a>' in text  # weights and band from it
        assert "An admin must save this role" in text and "/roles" not in _forms(review.text)
        # a recruiter's forged save is refused
        fields = {"role_id": role_id, "name": "", "text": ml_engineer_posting,
                  "csrf_token": csrf_token(review.text)}  # fmt: skip
        assert recruiter.post("/roles", data=fields).status_code == 403
        assert f'href="/roles/{role_id}"' not in recruiter.get("/roles").text
    with site.signed_in("ada") as admin:
        review = _draft(admin, role_id, text=ml_engineer_posting, name="Stratagem MLE")
        save_form = _forms(review.text)["/roles"]
        assert save_form["text"] == ml_engineer_posting and save_form["role_id"] == role_id
        saved = admin.post("/roles", data=save_form)
        assert saved.status_code == 200 and saved.url.path == f"/roles/{role_id}"
        assert "<h1>Stratagem MLE</h1>" in saved.text and "Custom role" in saved.text
        assert "<strong>PyTorch / TensorFlow</strong>" in unescape(saved.text)
        audit = [json.loads(line) for line in admin.get("/admin/audit.jsonl").text.splitlines()]
    assert [(r["event"], r["source"]) for r in audit if r["role_id"] == role_id] == [
        ("role-saved", "web")
    ]
    assert (site.settings.roles_dir / f"{role_id}.yaml").is_file()
    with site.signed_in("rita") as recruiter:
        listed = recruiter.get("/roles").text
        row = listed.split(f'href="/roles/{role_id}"')[1].split("</tr>")[0]
        assert '<span class="tag">custom</span>' in row
        assert f'<option value="{role_id}">Stratagem MLE</option>' in recruiter.get("/batches").text


def test_a_role_is_drafted_from_a_job_description_pdf(site: WebSite) -> None:
    pdf = (JD_PDFS / "raw_job_desc_2.pdf").read_bytes()
    with site.signed_in("ada") as admin:
        review = _draft(admin, "acme-mle-pdf", file=("raw_job_desc_2.pdf", pdf))
    assert review.status_code == 200, review.text
    text = unescape(review.text)
    assert "Review the draft: Machine Learning Engineer" in text
    for skill in ("Python", "Transformers", "Vision architectures"):
        assert f"<strong>{skill}</strong>" in text
    # the save form carries the PDF's text, so saving drafts the same role again
    assert "Machine Learning Engineer" in _forms(review.text)["/roles"]["text"]


def test_draft_problems_show_the_form_again_with_a_sentence(
    site: WebSite, ml_engineer_posting: str
) -> None:
    with site.signed_in("rita") as client:
        bad_id = _draft(client, "Acme ML", text=ml_engineer_posting)
        assert bad_id.status_code == 422
        assert "The role id “Acme ML” cannot be used" in bad_id.text
        assert "Machine Learning Engineer" in bad_id.text  # the pasted text is kept
        seed = _draft(client, "ml-engineer", text=ml_engineer_posting)
        assert seed.status_code == 422
        assert "“ml-engineer” is a packaged role and cannot be replaced" in seed.text
        empty = _draft(client, "acme-empty", text="   ")
        assert empty.status_code == 422
        assert "Paste the job description or choose a file (PDF, DOCX or TXT)." in empty.text
        both = _draft(client, "acme-both", text="Python", file=("jd.txt", b"Python and SQL"))
        assert both.status_code == 422 and "not both" in both.text
        broken = _draft(client, "acme-broken", file=("jd.pdf", b"%PDF-1.7\n1 0 obj <<"))
        assert broken.status_code == 422
        assert "The file “jd.pdf” cannot be read:" in broken.text
        pm = (JD_PDFS / "job_desc_product_manager.pdf").read_bytes()
        no_skills = _draft(client, "acme-pm", file=("job_desc_product_manager.pdf", pm))
        assert no_skills.status_code == 422
        assert "No known skill found in the job description" in no_skills.text
        for response in (bad_id, seed, empty, both, broken, no_skills):
            assert '<p class="error" role="alert">' in response.text
            assert '<form method="post" action="/roles/draft"' in response.text


def test_drafting_without_the_csrf_token_is_refused(site: WebSite) -> None:
    with site.signed_in("ada") as admin:
        for path in ("/roles/draft", "/roles"):
            refused = admin.post(path, data={"role_id": "acme-x", "text": "Python and SQL"})
            assert refused.status_code == 403 and "Form refused" in refused.text, path
        assert 'href="/roles/acme-x"' not in admin.get("/roles").text
