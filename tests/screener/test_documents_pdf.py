"""PDF reading: reading order on real two-column templates, hidden text, OCR, malformed files."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader, PdfWriter

from screener.documents import HiddenReason, _pdf, read_document
from screener.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ResourceLimitExceeded,
)
from screener.settings import DocumentLimits
from tests.pdf_factory import Rect, Run, build_pdf, lines_pdf, page_content, page_tree, raw_pdf

DATA = Path("../shared/data")
LAYOUTS = DATA / "layout-diverse-cv-pdfs"


@pytest.fixture(params=["compiled", "python"])
def glyph_passes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a hidden-text test with the compiled glyph passes (_glyphs.c) and the Python ones."""
    if request.param == "python":
        monkeypatch.setattr(_pdf, "_COMPILED", None)
    return str(request.param)


def _line_positions(text: str, lines: list[str]) -> list[int]:
    # the two Deedy variants differ in letter case (small caps font vs. open font)
    stripped = [line.strip().casefold() for line in text.splitlines()]
    return [stripped.index(line.casefold()) for line in lines]


def _assert_not_interleaved(text: str, sidebar: list[str], main: list[str]) -> None:
    sidebar_at = _line_positions(text, sidebar)
    main_at = _line_positions(text, main)
    # Each column is one contiguous run: no main-column line falls between two sidebar lines.
    assert not any(min(sidebar_at) < m < max(sidebar_at) for m in main_at), (sidebar_at, main_at)
    assert not any(min(main_at) < s < max(main_at) for s in sidebar_at), (sidebar_at, main_at)


@pytest.mark.parametrize("name", ["deedy_resume_openfont.pdf", "deedy_resume_macfonts.pdf"])
def test_two_column_deedy_comes_out_in_column_order(name: str) -> None:
    document = read_document((LAYOUTS / name).read_bytes(), name)
    sidebar = [
        "EDUCATION",
        "LINKS",
        "Github:// deedydas",
        "COURSEWORK",
        "Machine Learning",
        "SKILLS",
    ]
    main = ["EXPERIENCE", "FACEBOOK | SOFTWARE ENGINEER", "RESEARCH"]
    _assert_not_interleaved(document.text, sidebar, main)


def test_two_column_altacv_comes_out_in_column_order() -> None:
    document = read_document((LAYOUTS / "altacv_sample.pdf").read_bytes(), "altacv_sample.pdf")
    main = ["EXPERIENCE", "Job Title 1", "Company 2", "PROJECTS", "Funding agency/institution"]
    sidebar = ["A DAY OF MY LIFE", "MY LIFE PHILOSOPHY", "MOST PROUD OF", "STRENGTHS", "LANGUAGES"]
    _assert_not_interleaved(document.text, sidebar, main)


def test_hyphens_come_back_as_the_page_shows_them(glyph_passes: str) -> None:
    """PDFium gives a line-ending hyphen as U+FFFE with the line break dropped, and Awesome-CV's
    font maps its hyphen to the soft hyphen U+00AD; the text has a hyphen (and the line break)."""
    resume = read_document((LAYOUTS / "awesomecv_resume.pdf").read_bytes(), "awesomecv.pdf")
    assert "\xad" not in resume.text and "\ufffe" not in resume.text
    assert "DevOps Engineer Sep. 2023 - Mar. 2024" in resume.text
    assert "AWS multi-\naccount, Kubernetes" in resume.text
    listing = DATA / "kaggle-resume-pdfs/data/ARTS/83338413.pdf"
    kaggle = read_document(listing.read_bytes(), listing.name)
    assert "Active Directory-\nTCP/IP networking-\nTablet Technologies-\n" in kaggle.text
    # a full-width hyphen written as UTF-8 into a Latin-1 font ("ï¼"): a hyphen again, so the
    # job's dates are a range
    jobs = DATA / "kaggle-resume-pdfs/data/ENGINEERING/50328713.pdf"
    engineering = read_document(jobs.read_bytes(), jobs.name)
    assert "ENGINEERING INTERN 08/2016 - 12/2016 Company Name State" in engineering.text
    assert "ï" not in engineering.text and "1⁄4" not in engineering.text


def test_a_word_ending_in_f_glued_to_the_next_gets_its_space_back(glyph_passes: str) -> None:
    """Kaggle PDFs set a word that ends in "f" closer to the next word than letters inside
    words are set: "ofScience", "ChefOct 2016" (whose month then went unread)."""
    listing = DATA / "kaggle-resume-pdfs/data/INFORMATION-TECHNOLOGY/10553553.pdf"
    text = read_document(listing.read_bytes(), listing.name).text
    assert "Ownership of SaaS customers" in text
    assert "Master of Science : Business Information Technology" in text
    assert "ofS" not in text and "ofthe" not in text
    chef = DATA / "kaggle-resume-pdfs/data/CHEF/14663897.pdf"
    assert "\nChef Oct 2016 to Current\n" in read_document(chef.read_bytes(), chef.name).text


def test_geometric_order_would_interleave_deedy_columns() -> None:
    """The column test above has teeth: a top-to-bottom reading mixes the two columns."""
    pdf = pdfium.PdfDocument(str(LAYOUTS / "deedy_resume_openfont.pdf"))
    page = pdf[0]
    textpage = page.get_textpage()
    width, height = page.get_size()
    rows = []
    for y in range(int(height), 0, -12):
        row = textpage.get_text_bounded(left=0, bottom=y - 12, right=width, top=y).strip()
        if row:
            rows.append(row)
    pdf.close()
    joined = "\n".join(rows)
    assert joined.index("EXPERIENCE") < joined.index("COURSEWORK") < joined.index("RESEARCH")


def test_pages_and_offsets_point_back_to_the_page() -> None:
    pdf = build_pdf([[Run("First page line", 56, 780)], [Run("Second page line", 56, 780)]])
    document = read_document(pdf, "two.pdf")
    assert document.page_count == 2
    offset = document.text.index("Second page line")
    assert document.page_at(offset) == 2
    assert document.page_at(document.text.index("First page line")) == 1
    second = document.pages[1]
    assert document.text[second.start : second.end] == "Second page line"


def test_hidden_text_is_kept_apart_and_reported(glyph_passes: str) -> None:
    pdf = build_pdf(
        [
            [
                Run("Jane Doe, Machine Learning Engineer", 56, 780),
                Run("Built PyTorch models for ranking", 56, 760),
                Run("kubernetes mlflow qlora langchain", 56, 740, rgb=(1, 1, 1)),
                Run("tensorflow keras", 56, 720, size=0.5),
                Run("peft vllm", 56, 700, render_mode=3),
                Run("onnx triton", 56, -300),
                Run("airflow kubeflow", 56, 680, rgb=(0.97, 0.98, 0.97)),
                Run("Skills on a dark band", 60, 600, rgb=(1, 1, 1)),
            ]
        ],
        rects=[[Rect(50, 590, 300, 30, (0.1, 0.2, 0.3))]],
    )
    document = read_document(pdf, "stuffed.pdf")
    assert "Built PyTorch models for ranking" in document.text
    # white text on a dark band is visible to a reader and stays
    assert "Skills on a dark band" in document.text
    for stuffed in ("kubernetes", "tensorflow", "peft", "onnx", "airflow"):
        assert stuffed not in document.text
    reasons = {h.text: h.reason for h in document.hidden}
    assert reasons == {
        "kubernetes mlflow qlora langchain": HiddenReason.BACKGROUND_COLOUR,
        "tensorflow keras": HiddenReason.TINY_FONT,
        "peft vllm": HiddenReason.INVISIBLE_RENDER,
        "onnx triton": HiddenReason.OFF_PAGE,
        "airflow kubeflow": HiddenReason.BACKGROUND_COLOUR,
    }
    assert all(h.page == 1 for h in document.hidden)
    assert any("hidden text: 85 characters" in w for w in document.warnings), document.warnings


def test_the_shape_beneath_a_glyph_is_found_at_any_height_of_the_page(glyph_passes: str) -> None:
    # painted shapes are looked up by horizontal band of the page: a panel spanning many bands,
    # a box on a band edge (648 pt = 54 bands of 12) and a box painted later over the panel
    dark, white = (0.1, 0.2, 0.3), (1.0, 1.0, 1.0)
    lines = [Run(f"Visible line {n} on the panel", 60, y, rgb=white) for n, y in
             enumerate(range(110, 600, 37))]  # fmt: skip
    pdf = build_pdf(
        [
            [
                *lines,
                Run("stuffed words on the box", 60, 624, rgb=white),
                Run("edge words on the edge box", 60, 648, rgb=white),
            ]
        ],  # fmt: skip
        rects=[
            [
                Rect(50, 100, 400, 600, dark),
                Rect(55, 618, 300, 18, white),
                Rect(55, 648, 300, 12, white),
            ]
        ],  # fmt: skip
    )
    document = read_document(pdf, "panel.pdf")
    for line in lines:
        assert line.text in document.text
    assert {h.text: h.reason for h in document.hidden} == {
        "stuffed words on the box": HiddenReason.BACKGROUND_COLOUR,
        "edge words on the edge box": HiddenReason.BACKGROUND_COLOUR,
    }


def test_a_page_too_tall_for_bands_still_finds_the_shape_beneath(glyph_passes: str) -> None:
    content = (
        b"q 1 1 1 rg 50 14990 300 20 re f Q q 0.1 0.2 0.3 rg 50 15990 300 20 re f Q "
        b"BT /F1 11 Tf 1 1 1 rg 56 14995 Td (stuffed words) Tj ET "
        b"BT /F1 11 Tf 1 1 1 rg 56 15995 Td (Visible words on the dark box) Tj ET"
    )
    document = read_document(_pdf_with_content(content, height=20000), "tall.pdf")
    assert "Visible words on the dark box" in document.text
    assert [(h.text, h.reason) for h in document.hidden] == [
        ("stuffed words", HiddenReason.BACKGROUND_COLOUR)
    ]


def test_white_words_inside_a_visible_line_are_split_out(glyph_passes: str) -> None:
    content = b"BT /F1 11 Tf 56 700 Td (Skills: Python, SQL ) Tj 1 1 1 rg (pytorch lora rag) Tj ET"
    pdf = _pdf_with_content(content)
    document = read_document(pdf, "inline.pdf")
    assert "Skills: Python" in document.text
    assert "lora" not in document.text
    assert any("lora" in h.text for h in document.hidden)


_FONT = b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"


def _stream(dictionary: bytes, content: bytes) -> bytes:
    return dictionary[:-2] + b"/Length %d>>stream\n" % len(content) + content + b"\nendstream"


def _forms_images_and_graphics_states_pdf() -> bytes:
    """Hidden text of each kind inside nested forms with their own matrices, beside an image
    and a transparent box, and text state that persists (render mode, colour) wrapped in q/Q."""
    page = (
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<"
        b"/Font<</F1 5 0 R>>/XObject<</Fm1 6 0 R/Im1 7 0 R/Fm3 9 0 R>>"
        b"/ExtGState<</G0<</ca 0>>>>>>>>"
    )
    content = (
        b"q 0.1 0.2 0.3 rg 40 500 300 40 re f Q "
        b"q /G0 gs 1 1 1 rg 40 500 300 40 re f Q "
        b"BT /F1 11 Tf 1 1 1 rg 56 510 Td (white words over a transparent box) Tj ET "
        b"q 300 0 0 30 40 400 cm /Im1 Do Q "
        b"BT /F1 11 Tf 1 1 1 rg 56 410 Td (white words on the image) Tj ET "
        b"/Fm1 Do /Fm3 Do "
        b"q BT /F1 11 Tf 7 Tr 56 300 Td (clipped words) Tj ET Q "
        b"q /G0 gs BT /F1 11 Tf 56 280 Td (transparent words) Tj ET Q "
        b"BT /F1 11 Tf 0.05 0 0 0.05 56 260 Tm (tiny by its text matrix) Tj ET "
        b"BT /F1 11 Tf 0 0 0 rg 56 240 Td (Visible words) Tj ET"
    )
    form = b"<</Type/XObject/Subtype/Form/BBox[-20000 -20000 20000 20000]"
    scaled_down = _stream(
        form + b"/Matrix[0.1 0 0 0.1 56 200]/Resources<</Font<</F1 5 0 R>>"
        b"/XObject<</Fm2 8 0 R>>>>>>",
        b"BT /F1 11 Tf 0 0 Td (tiny in a form) Tj ET /Fm2 Do",
    )
    image = _stream(
        b"<</Type/XObject/Subtype/Image/Width 1/Height 1/ColorSpace/DeviceGray"
        b"/BitsPerComponent 8>>",
        b"\x80",
    )
    # scaled up again and moved right: 11 pt, 1,056 pt from the left edge of a 595 pt page
    nested = _stream(
        form + b"/Matrix[10 0 0 10 10000 0]/Resources<</Font<</F1 5 0 R>>>>>>",
        b"BT /F1 11 Tf 0 0 Td (off the page in a nested form) Tj ET",
    )
    unscaled = _stream(
        form + b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"q 0.9 0.1 0.1 rg 50 120 300 20 re f Q "
        b"BT /F1 11 Tf 0.9 0.1 0.1 rg 56 125 Td (red on red in a form) Tj ET "
        b"BT /F1 11 Tf 1 1 1 rg 56 100 Td (white on the page in a form) Tj ET "
        b"BT /F1 11 Tf 0.2 0.2 0.2 rg 56 80 Td (Visible grey words in a form) Tj ET",
    )
    xobjects = (scaled_down, image, nested, unscaled)
    return raw_pdf(page_tree(page, _stream(b"<<>>", content), _FONT, *xobjects))


def test_hidden_text_inside_forms_and_graphics_states(glyph_passes: str) -> None:
    document = read_document(_forms_images_and_graphics_states_pdf(), "forms.pdf")
    assert document.text.split("\n") == [
        # a transparent fill paints nothing: the band beneath is dark
        "white words over a transparent box",
        # the colour beneath is an image's, unknown: kept
        "white words on the image",
        "",
        "Visible grey words in a form",
        "",
        "Visible words",
    ]
    assert {h.text: h.reason for h in document.hidden} == {
        "tiny in a form": HiddenReason.TINY_FONT,
        "off the page in a nested form": HiddenReason.OFF_PAGE,
        "red on red in a form": HiddenReason.BACKGROUND_COLOUR,
        "white on the page in a form": HiddenReason.BACKGROUND_COLOUR,
        "clipped words": HiddenReason.INVISIBLE_RENDER,
        "transparent words": HiddenReason.INVISIBLE_RENDER,
        "tiny by its text matrix": HiddenReason.TINY_FONT,
    }


def test_the_compiled_glyph_passes_are_built() -> None:
    # the project's install (scripts/setup.sh) builds them; without them PDFs read 3 times slower
    assert _pdf._COMPILED is not None


def test_the_compiled_glyph_passes_refuse_a_null_handle() -> None:
    with pytest.raises(ValueError, match="null"):
        _pdf._COMPILED.hidden_objects(0, 0.0, 0.0, 595.0, 842.0)
    with pytest.raises(ValueError, match="null"):
        _pdf._COMPILED.word_gaps(0, "text")


@pytest.mark.parametrize(
    "path",
    [
        *sorted(LAYOUTS.glob("*.pdf")),
        # the Kaggle PDF with hidden text, and every 50th of the rest
        DATA / "kaggle-resume-pdfs/data/FINANCE/22720697.pdf",
        *sorted((DATA / "kaggle-resume-pdfs/data").glob("*/*.pdf"))[::50],
    ],
    ids=lambda path: path.name,
)
def test_compiled_and_python_glyph_passes_agree_on_real_pages(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled_passes = _pdf._COMPILED
    document = pdfium.PdfDocument(path.read_bytes())
    hidden = 0
    try:
        for page in document:
            box = _pdf._visible_box(page)
            textpage = page.get_textpage()
            monkeypatch.setattr(_pdf, "_COMPILED", compiled_passes)
            compiled = _pdf._hidden_objects(page.raw, box)
            characters = _pdf._page_characters(textpage.raw)
            monkeypatch.setattr(_pdf, "_COMPILED", None)
            assert compiled == _pdf._hidden_objects(page.raw, box)
            assert characters == _pdf._page_characters(textpage.raw)
            hidden += len(compiled)
            textpage.close()
            page.close()
    finally:
        document.close()
    # glyphs set outside the page box in the Kaggle PDF and the Deedy template
    assert bool(hidden) == (path.name in {"22720697.pdf", "deedy_resume_macfonts.pdf"})


def _pdf_with_content(content: bytes, *, height: int = 842) -> bytes:
    page = (
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 %d]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>" % height
    )
    return raw_pdf(page_tree(page, _stream(b"<<>>", content), _FONT))


def test_factory_content_matches_raw_content_builder() -> None:
    # both builders write the same operators, so hidden-text cases read the same either way
    content = page_content([Run("Hello", 56, 700)])
    assert read_document(_pdf_with_content(content), "a.pdf").text == "Hello"


def test_scanned_cv_is_read_by_ocr() -> None:
    text_pdf = lines_pdf(
        [
            "Ayse Yilmaz",
            "ayse.yilmaz@example.com",
            "BERUFSERFAHRUNG",
            "Machine Learning Engineer, Acme GmbH, 01/2020 - heute",
        ],
        size=14,
    )
    page = pdfium.PdfDocument(text_pdf)[0]
    image = page.render(scale=200 / 72).to_pil().convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=200)
    scanned = buffer.getvalue()
    assert PdfReader(io.BytesIO(scanned)).pages[0].extract_text().strip() == ""

    document = read_document(scanned, "scan.pdf")
    assert document.ocr_used
    assert document.pages[0].ocr
    assert "ayse.yilmaz@example.com" in document.text
    assert "BERUFSERFAHRUNG" in document.text


def test_page_without_text_layer_goes_through_ocr_and_reports_empty() -> None:
    path = DATA / "kaggle-resume-pdfs/data/BUSINESS-DEVELOPMENT/12632728.pdf"
    with pytest.raises(EmptyDocument, match="even after OCR"):
        read_document(path.read_bytes(), path.name)


def test_truncated_pdf_is_corrupt() -> None:
    pdf = lines_pdf(["Jane Doe", "Experience"])
    with pytest.raises(CorruptDocument):
        read_document(pdf[: len(pdf) // 2], "cut.pdf")


def test_garbage_after_pdf_header_is_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        read_document(b"%PDF-1.7\n" + b"\x00\x01garbage" * 200, "junk.pdf")


def test_pdf_with_zero_pages_is_empty() -> None:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    with pytest.raises(EmptyDocument, match="no pages"):
        read_document(buffer.getvalue(), "zero.pdf")


def test_password_protected_pdf_is_encrypted() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(lines_pdf(["Jane Doe"]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(EncryptedDocument, match="password"):
        read_document(buffer.getvalue(), "locked.pdf")


def test_owner_password_only_pdf_opens() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(lines_pdf(["Jane Doe", "Experience"]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "Jane Doe" in read_document(buffer.getvalue(), "print-protected.pdf").text


def test_pdf_over_page_limit_is_too_large() -> None:
    pdf = build_pdf([[Run(f"page {i}", 56, 700)] for i in range(5)])
    with pytest.raises(DocumentTooLarge, match="5 pages; the limit is 3"):
        read_document(pdf, "long.pdf", limits=DocumentLimits(max_pages=3))


def test_pdf_over_byte_limit_is_too_large() -> None:
    pdf = lines_pdf(["Jane Doe"] * 40)
    with pytest.raises(DocumentTooLarge, match="limit"):
        read_document(pdf, "big.pdf", limits=DocumentLimits(max_bytes=len(pdf) - 1))


def test_decompression_bomb_stops_quickly() -> None:
    # ~300 MB of operators compressed into well under 1 MB
    raw = zlib.compress(b"BT /F1 12 Tf 0 0 Td (a) Tj ET " * 10_000_000, 9)
    page = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>"
    stream = b"<</Length %d/Filter/FlateDecode>>stream\n" % len(raw) + raw + b"\nendstream"
    with pytest.raises(ResourceLimitExceeded, match="safety bound"):
        read_document(raw_pdf(page_tree(page, stream)), "bomb.pdf")


def test_cyclic_page_tree_is_corrupt() -> None:
    pdf = raw_pdf(
        [
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2>>",
            b"<</Type/Pages/Kids[2 0 R]/Count 1>>",
        ]
    )
    with pytest.raises(CorruptDocument, match="page tree"):
        read_document(pdf, "cycle.pdf")


def test_deeply_nested_objects_fail_cleanly() -> None:
    page = (
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Foo "
        + b"[" * 100_000
        + b"]" * 100_000
        + b">>"
    )
    with pytest.raises((CorruptDocument, ResourceLimitExceeded)):
        read_document(raw_pdf(page_tree(page)), "deep.pdf")


def test_narrow_word_gaps_in_tj_arrays_become_spaces() -> None:
    # Awesome-CV separates words by TJ offsets narrower than its fonts' space glyph
    document = read_document((LAYOUTS / "awesomecv_cv.pdf").read_bytes(), "awesomecv_cv.pdf")
    assert "DevOps Engineer · Software Architect" in document.text
    assert "Be the change that you want to see in the world." in document.text


def test_word_gaps_between_separately_placed_glyphs_become_spaces() -> None:
    # Like the Kaggle CVs: every glyph placed on its own, words apart by a gap narrower than
    # PDFium's space threshold (PDFium alone reads "excelsinmanagingmultipletasks").
    size, advance = 10.0, 6.0  # Courier 20 pt scaled by 0.5: every glyph is 0.6 em wide
    ops, x = [], 56.0
    for word in "excels in managing multiple tasks".split():
        for char in word:
            ops.append(f"BT /F1 20 Tf 0.5 0 0 0.5 {x:.2f} 700 Tm ({char}) Tj ET")
            x += advance
        x += 0.15 * size
    content = "\n".join(ops).encode("latin-1")
    font = b"<</Type/Font/Subtype/Type1/BaseFont/Courier/Encoding/WinAnsiEncoding>>"
    page = (
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>"
    )
    stream = b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream"
    document = read_document(raw_pdf(page_tree(page, stream, font)), "glyphs.pdf")
    assert "excels in managing multiple tasks" in document.text


def test_letter_spaced_heading_is_not_split_into_letters() -> None:
    content = (
        b"BT /F1 12 Tf 3 Tc 56 700 Td (EXPERIENCE) Tj ET "
        b"BT /F1 11 Tf 56 680 Td (Built models) Tj ET"
    )
    document = read_document(_pdf_with_content(content), "spaced.pdf")
    assert "EXPERIENCE" in document.text
    assert "Built models" in document.text
