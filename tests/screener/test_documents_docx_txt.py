"""DOCX and plain-text CV readers, format sniffing and the size check, on real and built files."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from screener.documents._docx import read_docx
from screener.documents._model import DocumentKind, HiddenReason
from screener.documents._sniff import check_size, sniff_kind
from screener.documents._text import read_text
from screener.errors import (
    CorruptDocument,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    ResourceLimitExceeded,
    UnsupportedFormat,
)
from screener.settings import DocumentLimits

VANETIK_CVS = Path("../shared/data/vanetik-vacancy-resume-matching/CV")
LIMITS = DocumentLimits()
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def table_cv() -> docx.document.Document:
    """A two-column CV laid out in a table, with a merged heading row and a vertical merge."""
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "jane.doe@example.com | +49 30 1234567"
    document.add_paragraph("Jane Doe — Machine Learning Engineer")
    table = document.add_table(rows=3, cols=2)
    heading = table.cell(0, 0).merge(table.cell(0, 1))
    heading.text = "EXPERIENCE"
    years = table.cell(1, 0).merge(table.cell(2, 0))
    years.text = "2019–2024"
    table.cell(1, 1).text = "Built PyTorch training pipelines"
    table.cell(2, 1).text = "Fine-tuned Llama with LoRA"
    document.add_paragraph("EDUCATION")
    document.add_paragraph("MSc Computer Science, TU Munich")
    document.sections[0].footer.paragraphs[0].text = "github.com/janedoe"
    return document


def test_read_docx_real_cv_keeps_breaks_and_skills():
    data = (VANETIK_CVS / "15.docx").read_bytes()

    parsed = read_docx(data, "15.docx", LIMITS)

    assert parsed.kind is DocumentKind.DOCX
    assert parsed.page_count == 1
    lines = parsed.text.splitlines()
    assert lines[0] == "Frontend Developer - 8 years experience"
    assert "Experience Summary" in lines
    assert "Angular" in parsed.text and "MongoDB" in parsed.text
    assert parsed.hidden == ()


def test_read_docx_real_table_cv_reads_merged_cell_once():
    data = (VANETIK_CVS / "11.docx").read_bytes()

    parsed = read_docx(data, "11.docx", LIMITS)

    # python-docx repeats this gridSpan cell three times in row.cells; the text must appear once
    assert parsed.text.count("C++, C, C#, SQL, UniVerse BASIC, Java") == 1
    assert "Programming Languages:\nC++, C, C#, SQL, UniVerse BASIC, Java\n" in parsed.text


def test_read_docx_table_cv_keeps_reading_order_and_header_footer():
    parsed = read_docx(docx_bytes(table_cv()), "table.docx", LIMITS)

    assert parsed.text.splitlines() == [
        "jane.doe@example.com | +49 30 1234567",
        "",
        "Jane Doe — Machine Learning Engineer",
        "EXPERIENCE",
        "2019–2024",
        "Built PyTorch training pipelines",
        "Fine-tuned Llama with LoRA",
        "EDUCATION",
        "MSc Computer Science, TU Munich",
        "",
        "github.com/janedoe",
    ]


def test_read_docx_vanished_keywords_go_to_hidden():
    document = docx.Document()
    paragraph = document.add_paragraph("Skills: Python, SQL")
    stuffing = paragraph.add_run(" PyTorch TensorFlow Kubernetes LLM RAG")
    stuffing.font.hidden = True
    document.add_paragraph("Data analyst at ACME")

    parsed = read_docx(docx_bytes(document), "stuffed.docx", LIMITS)

    assert parsed.text == "Skills: Python, SQL\nData analyst at ACME"
    assert [(h.reason, h.text) for h in parsed.hidden] == [
        (HiddenReason.HIDDEN_PROPERTY, "PyTorch TensorFlow Kubernetes LLM RAG")
    ]
    assert any("hidden text" in warning for warning in parsed.warnings)


def test_read_docx_vanish_from_character_style_goes_to_hidden():
    document = docx.Document()
    style = document.styles.add_style("Quiet", 2)  # WD_STYLE_TYPE.CHARACTER
    style.font.hidden = True
    paragraph = document.add_paragraph("Experience: 3 years")
    paragraph.add_run(" 10 years deep learning", style="Quiet")

    parsed = read_docx(docx_bytes(document), "styled.docx", LIMITS)

    assert parsed.text == "Experience: 3 years"
    assert parsed.hidden[0].text == "10 years deep learning"


def test_read_docx_white_and_tiny_text_go_to_hidden():
    document = docx.Document()
    paragraph = document.add_paragraph("Python developer")
    white = paragraph.add_run(" transformers diffusion RLHF")
    white.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    tiny = document.add_paragraph().add_run("CUDA Triton JAX")
    tiny.font.size = Pt(1)

    parsed = read_docx(docx_bytes(document), "white.docx", LIMITS)

    assert parsed.text == "Python developer"
    assert {(h.reason, h.text) for h in parsed.hidden} == {
        (HiddenReason.BACKGROUND_COLOUR, "transformers diffusion RLHF"),
        (HiddenReason.TINY_FONT, "CUDA Triton JAX"),
    }


def test_read_docx_white_text_on_dark_cell_stays_visible():
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "1F3864")
    cell._tc.get_or_add_tcPr().append(shading)
    run = cell.paragraphs[0].add_run("SKILLS")
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    highlighted = document.add_paragraph().add_run("Kaggle Grandmaster")
    highlighted.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    highlighted.font.highlight_color = WD_COLOR_INDEX.BLACK

    parsed = read_docx(docx_bytes(document), "dark.docx", LIMITS)

    assert parsed.text == "SKILLS\nKaggle Grandmaster"
    assert parsed.hidden == ()


def test_read_docx_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        zeros = bytes(1024 * 1024)
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(500):  # 500 MiB of zeros, about 2 MiB deflated
                member.write(zeros)
    data = path.read_bytes()
    assert len(data) < 5 * 1024 * 1024

    with pytest.raises(ResourceLimitExceeded) as caught:
        read_docx(data, "bomb.docx", LIMITS)

    assert "inflate to 524,288,021 bytes" in caught.value.message
    assert f"{LIMITS.max_unzipped_bytes:,} bytes" in caught.value.message


def test_read_docx_member_ratio_over_limit_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/styles.xml", bytes(8 * 1024 * 1024))  # ~1000-fold

    with pytest.raises(ResourceLimitExceeded, match=r"inflates [\d,]+-fold .* limit is 200-fold"):
        read_docx(buffer.getvalue(), "ratio.docx", LIMITS)


def test_read_docx_truncated_file_is_corrupt():
    data = (VANETIK_CVS / "13.docx").read_bytes()

    with pytest.raises(CorruptDocument):
        read_docx(data[: len(data) // 2], "13.docx", LIMITS)
    assert sniff_kind(data[: len(data) // 2], "13.docx") is DocumentKind.DOCX


def test_read_docx_malformed_xml_is_corrupt():
    source = zipfile.ZipFile(io.BytesIO((VANETIK_CVS / "13.docx").read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "word/document.xml":
                content = content[: len(content) // 2]  # cut mid-element
            archive.writestr(member, content)

    with pytest.raises(CorruptDocument, match="XMLSyntaxError"):
        read_docx(buffer.getvalue(), "13.docx", LIMITS)


def test_read_docx_legacy_doc_is_unsupported_with_advice():
    with pytest.raises(UnsupportedFormat, match="save it as DOCX or PDF"):
        read_docx(OLE_HEADER, "old.doc", LIMITS)
    with pytest.raises(UnsupportedFormat, match="save it as DOCX or PDF"):
        sniff_kind(OLE_HEADER, "old.doc")


def test_read_docx_encrypted_ooxml_is_encrypted():
    data = OLE_HEADER + "EncryptionInfo".encode("utf-16-le") + bytes(64)

    assert sniff_kind(data, "locked.docx") is DocumentKind.DOCX
    with pytest.raises(EncryptedDocument, match="password"):
        read_docx(data, "locked.docx", LIMITS)


def test_read_docx_empty_document_is_empty():
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph().add_run("only hidden").font.hidden = True

    with pytest.raises(EmptyDocument, match="11 characters are hidden"):
        read_docx(docx_bytes(document), "blank.docx", LIMITS)


def test_read_docx_zip_without_word_part_is_unsupported():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")

    with pytest.raises(UnsupportedFormat, match="word/document.xml"):
        read_docx(buffer.getvalue(), "cv.odt", LIMITS)
    with pytest.raises(UnsupportedFormat, match="OpenDocument"):
        sniff_kind(buffer.getvalue(), "cv.odt")


def test_sniff_kind_random_bytes_are_unsupported_naming_formats():
    data = random.Random(7).randbytes(4096)

    with pytest.raises(UnsupportedFormat, match=r"PDF, DOCX or plain text \(TXT\)"):
        sniff_kind(data, "blob.bin")
    with pytest.raises(UnsupportedFormat):
        read_text(data, "blob.txt", LIMITS)
    with pytest.raises(UnsupportedFormat):
        read_docx(data, "blob.docx", LIMITS)


def test_sniff_kind_recognises_each_format_by_content():
    docx_data = (VANETIK_CVS / "15.docx").read_bytes()

    assert sniff_kind(b"\n%PDF-1.7\n...", "cv.txt") is DocumentKind.PDF
    assert sniff_kind(docx_data, "cv.pdf") is DocumentKind.DOCX
    assert sniff_kind("Lebenslauf — Ingenieur".encode(), "cv") is DocumentKind.TXT
    assert sniff_kind(b"", "empty.txt") is DocumentKind.TXT
    with pytest.raises(UnsupportedFormat, match="RTF"):
        sniff_kind(b"{\\rtf1\\ansi Jane Doe}", "cv.rtf")


def test_check_size_over_limit_names_the_limit():
    limits = DocumentLimits(max_bytes=1000)

    check_size(bytes(1000), "ok.pdf", limits)
    with pytest.raises(DocumentTooLarge, match="1,001 bytes; the limit is 1,000 bytes"):
        check_size(bytes(1001), "big.pdf", limits)
    with pytest.raises(DocumentTooLarge):
        read_text(b"x" * 1001, "big.txt", limits)


def test_read_text_empty_and_whitespace_are_empty():
    with pytest.raises(EmptyDocument):
        read_text(b"", "empty.txt", LIMITS)
    with pytest.raises(EmptyDocument):
        read_text(b" \r\n\t\n\xef\xbb\xbf", "blank.txt", LIMITS)


def test_read_text_utf16_with_bom_decodes():
    data = "Müller\r\nData Scientist — İstanbul\r\n".encode("utf-16")

    parsed = read_text(data, "cv.txt", LIMITS)

    assert parsed.kind is DocumentKind.TXT
    assert parsed.text == "Müller\nData Scientist — İstanbul"
    assert parsed.warnings == ()


def test_read_text_utf8_bom_and_old_mac_newlines_are_normalised():
    parsed = read_text(b"\xef\xbb\xbfJane\rML Engineer  \r\n\fSkills", "cv.txt", LIMITS)

    assert parsed.text == "Jane\nML Engineer\n\nSkills"


def test_read_text_cp1252_falls_back_with_warning():
    data = "Jürgen Weiß – Senior NLP Engineer, €90k".encode("cp1252")

    parsed = read_text(data, "cv.txt", LIMITS)

    assert parsed.text == "Jürgen Weiß – Senior NLP Engineer, €90k"
    assert parsed.warnings == ("not valid UTF-8; decoded as cp1252",)


def test_read_text_turkish_legacy_code_page_decodes_as_cp1254():
    data = "Yazılım Mühendisi, İstanbul; Ağ güvenliği, Şirket".encode("cp1254")

    parsed = read_text(data, "cv.txt", LIMITS)

    assert parsed.text == "Yazılım Mühendisi, İstanbul; Ağ güvenliği, Şirket"


def test_read_text_binary_with_nuls_is_unsupported():
    data = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 64

    with pytest.raises(UnsupportedFormat, match="binary"):
        read_text(data, "cv.exe", LIMITS)
