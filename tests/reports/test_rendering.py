"""The renderer reads only our static files, and user text stays text."""

import hashlib
import io
import socket
import threading

import pytest
from pypdf import PdfReader

from reports.analysis import gap_analysis_compute
from reports.rendering import (
    BASE_URL,
    RefusedURL,
    ReportResourceMissing,
    StaticOnlyFetcher,
    report_html_render,
    report_pdf_render,
    static_file_resolve,
)
from tests.reports.test_analysis import answer

pytestmark = pytest.mark.django_db


def test_our_stylesheet_is_served():
    content, mime = static_file_resolve(BASE_URL + "static/css/report.css")
    assert mime == "text/css" and b"@page" in content


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.com/static/css/report.css",
        "file:///etc/passwd",
        "data:text/plain;base64,aGVsbG8=",
        BASE_URL + "static/../portal/settings/base.py",
        BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        BASE_URL + "static/css/missing.css",
        BASE_URL + "media/evidence/secret.pdf",
        BASE_URL + "static/css/report.css?x=1",
        "ftp://127.0.0.1/x",
    ],
)
def test_every_other_url_is_refused(url):
    with pytest.raises(RefusedURL):
        static_file_resolve(url)
    with pytest.raises(Exception):
        StaticOnlyFetcher().fetch(url)


PAYLOAD = '<script>alert("x")</script><img src="http://127.0.0.1:{port}/pixel.png"><link rel=stylesheet href="file:///etc/passwd">'


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records every connection it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits = []
    stop = threading.Event()

    def run():
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except TimeoutError:
                continue
            hits.append(conn.recv(200))
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def test_user_text_is_escaped_in_html_and_pdf_and_fetches_nothing(assessment, officer, listener):
    port, hits = listener
    payload = PAYLOAD.format(port=port)
    answer(assessment, officer, "q:art-7-contact", value="no", comment=payload)
    snapshot = gap_analysis_compute(assessment=assessment).dump()
    html = report_html_render(
        snapshot=snapshot,
        language="en",
        report_meta={"report_id": "1", "issued_at": "now", "snapshot_sha256": "x"},
        for_pdf=True,
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'src="http://127.0.0.1:{port}' not in html
    pdf = report_pdf_render(html=html)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert '<script>alert("x")</script>' in text.replace("\n", "")
    assert "root:x:0:0" not in text
    assert hits == []


def test_pdf_embeds_the_cjk_font_and_has_page_numbers(assessment, officer):
    answer(assessment, officer, "q:art-7-contact", value="partial")
    snapshot = gap_analysis_compute(assessment=assessment).dump()
    html = report_html_render(
        snapshot=snapshot,
        language="ja",
        report_meta={"report_id": "7", "issued_at": "now", "snapshot_sha256": "abc"},
        for_pdf=True,
    )
    pdf = report_pdf_render(html=html)
    reader = PdfReader(io.BytesIO(pdf.content))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            if descendants:
                descriptor = descendants[0].get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
    assert any("Noto-Sans-CJK-JP" in f for f in fonts)
    text = reader.pages[0].extract_text()
    assert "AIガバナンス ギャップ分析レポート" in text
    assert f"1 / {pdf.pages}" in text
    assert "要約" in reader.pages[1].extract_text()  # the table of contents, in Japanese
    everything = "".join(page.extract_text() for page in reader.pages)
    overall = round(snapshot["scores"]["all"] * 100)
    assert overall == 17 and f"{overall}%" in everything  # (0.5·1 + 0·2) / 3
    assert "高 例示法 · Item 1 適正取得" in everything  # the binding gap, with its severity
    assert "中 例示法 · Art. 7 活用事業者の責務" in everything


# --- Production static storage -------------------------------------------------------------

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def production_storages():
    """STORAGES as the production settings build them (without a bucket: files on disk), read in
    a process of its own, since production settings insist on production secrets."""
    import json
    import os

    from tests.support import run_with_production_settings

    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({k: {'BACKEND': v['BACKEND']} for k, v in settings.STORAGES.items()}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = run_with_production_settings(code, environ=clean)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """Static files collected as production collects them (hashed names and a manifest)."""
    from django.core.management import call_command
    from django.test import override_settings

    assert production_storages() == PRODUCTION_STORAGES  # the test follows the real settings
    root = tmp_path_factory.mktemp("static-root")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        # The third-party apps' files (admin, DRF, ...) only cost time: the report uses none.
        call_command(
            "collectstatic",
            interactive=False,
            verbosity=0,
            ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar", "django_htmx"],
        )
    return root


def pdf_fonts(content: bytes) -> set[str]:
    """Base font names of the fonts embedded in a PDF, without the subset prefix."""
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            if descendants:
                descriptor = descendants[0].get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return fonts


def render_both_ways(snapshot, production_static, language="ja"):
    meta = {"report_id": "7", "issued_at": "now", "snapshot_sha256": "abc"}
    development = report_pdf_render(
        html=report_html_render(
            snapshot=snapshot, language=language, report_meta=meta, for_pdf=True
        )
    )
    from django.test import override_settings

    with override_settings(STATIC_ROOT=production_static, STORAGES=PRODUCTION_STORAGES):
        html = report_html_render(
            snapshot=snapshot, language=language, report_meta=meta, for_pdf=True
        )
        assert "/static/css/report.css" not in html  # the hashed name is linked
        production = report_pdf_render(html=html)
    return development, production


def test_the_hashed_stylesheet_of_production_is_served(production_static, settings):
    settings.STATIC_ROOT, settings.STORAGES = production_static, PRODUCTION_STORAGES
    from django.templatetags.static import static

    url = static("css/report.css")
    assert url != "/static/css/report.css" and url.endswith(".css")
    content, mime = static_file_resolve(BASE_URL + url.lstrip("/"))
    assert mime == "text/css" and b"@page" in content
    # Still nothing outside the collected files: not the manifest itself, not a guessed hash.
    for name in ("staticfiles.json", "css/report.0123456789ab.css", "../x"):
        with pytest.raises(RefusedURL):
            static_file_resolve(BASE_URL + "static/" + name)


def test_production_storage_renders_the_same_pdf_as_development(
    assessment, officer, production_static
):
    answer(assessment, officer, "q:art-7-contact", value="partial")
    development, production = render_both_ways(
        gap_analysis_compute(assessment=assessment).dump(), production_static
    )
    assert production.pages == development.pages
    assert pdf_fonts(production.content) == pdf_fonts(development.content)
    assert any("Noto-Sans-CJK-JP" in f for f in pdf_fonts(production.content))


@pytest.mark.slow
def test_the_demo_report_renders_alike_under_production_static_storage(production_static, settings):
    from django.core.management import call_command

    from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
    from assessments.models import Assessment

    settings.DEBUG = True
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False  # as in production: the manifest storage hashes names only then
    snapshot = gap_analysis_compute(assessment=Assessment.objects.get(name=DEMO_ASSESSMENT)).dump()
    development, production = render_both_ways(snapshot, production_static)
    assert production.pages == development.pages > 20
    fonts = pdf_fonts(production.content)
    assert fonts == pdf_fonts(development.content)
    assert any("Noto-Sans-CJK-JP" in f for f in fonts)


def test_a_missing_stylesheet_fails_the_render(assessment):
    html = report_html_render(
        snapshot=gap_analysis_compute(assessment=assessment).dump(),
        language="en",
        report_meta={"report_id": "1", "issued_at": "now", "snapshot_sha256": "x"},
        for_pdf=True,
    ).replace("css/report.css", "css/report.0123456789ab.css")
    with pytest.raises(ReportResourceMissing, match="report.0123456789ab.css"):
        report_pdf_render(html=html)


def test_a_missing_image_fails_the_render():
    html = '<html><body style="font-family: \'Noto Sans CJK JP\'"><img src="/static/img/none.png"></body></html>'
    with pytest.raises(ReportResourceMissing, match="none.png"):
        report_pdf_render(html=html)


def test_a_missing_body_font_fails_the_render():
    html = "<html><body style=\"font-family: 'DejaVu Serif'\"><p>text</p></body></html>"
    with pytest.raises(ReportResourceMissing, match="font not available"):
        report_pdf_render(html=html)


# --- The PDF as a deliverable ----------------------------------------------------------------

APPROVAL = {
    "statement": "I approve this assessment as a fair record of our AI governance.",
    "approved_by": "Aiko Auditor",
    "approved_by_role": "Auditor",
    "approved_at": "2026-11-20T10:00:00+09:00",
    "prepared_by": "Otto Officer",
    "submitted_at": "2026-11-19T09:00:00+09:00",
    "reviewed_by": "Aiko Auditor",
}


def with_approval(meta: dict, approval: dict | None = APPROVAL, stage: str | None = "approved"):
    """``meta`` as the review workflow extends it: ``approval`` (or None) and ``stage``."""
    return {**meta, "approval": approval, **({"stage": stage} if stage else {})}


def pdftotext(content: bytes, tmp_path) -> list[str]:
    """The text of every page, as poppler's pdftotext reads it (what a reader's search finds)."""
    import subprocess

    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return out.split("\f")[:-1]


def render(snapshot, meta, language="en", attachments=None):
    html = report_html_render(snapshot=snapshot, language=language, report_meta=meta, for_pdf=True)
    return report_pdf_render(html=html, attachments=attachments)


BASE_META = {"report_id": "9", "issued_at": "2026-11-20 10:00 JST", "snapshot_sha256": "abc"}


def test_every_page_of_a_draft_carries_the_watermark_and_the_cover_names_the_stage(
    assessment, tmp_path
):
    snapshot = gap_analysis_compute(assessment=assessment)
    pages = pdftotext(render(snapshot, with_approval(BASE_META, None, None)).content, tmp_path)
    assert len(pages) > 3 and all("DRAFT / 下書き" in page for page in pages)
    assert "Stage: Draft" in pages[0] and "Sign-off" not in "".join(pages)


def test_an_approved_report_has_no_watermark_and_a_sign_off_block(assessment, tmp_path):
    snapshot = gap_analysis_compute(assessment=assessment)
    pages = pdftotext(render(snapshot, with_approval(BASE_META)).content, tmp_path)
    text = "".join(pages)
    assert "DRAFT" not in text and "下書き" not in text
    assert "Stage: Approved" in pages[0]
    signoff = next(p for p in pages if "Sign-off" in p and "Prepared by" in p)
    for expected in (APPROVAL["statement"], "Otto Officer", "Aiko Auditor (Auditor)", "2026-11-20"):
        assert expected in signoff


def test_stage_comes_from_the_review_workflow_and_a_returned_report_stays_a_draft(
    assessment, tmp_path
):
    snapshot = gap_analysis_compute(assessment=assessment)
    meta = with_approval(BASE_META, None, "returned")
    pages = pdftotext(render(snapshot, meta, language="ja").content, tmp_path)
    assert "下書き" in pages[-1] and "未解決の照会" in pages[0]


def test_cover_shows_marking_logo_and_verification_when_given(assessment, tmp_path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, format="PNG")
    png = buffer.getvalue()
    meta = {
        **BASE_META,
        "confidentiality": "関係者限り",
        "logo_url": BASE_URL + "attachment/logo",
        "verification_code": "TKG-7Q4M-2K9P",
        "verification_url": "https://tekigo.example/v/TKG-7Q4M-2K9P",
        "qr_svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="2" height="2"/></svg>',
    }
    snapshot = gap_analysis_compute(assessment=assessment)
    pdf = render(snapshot, meta, attachments={"logo": (png, "image/png")})
    pages = pdftotext(pdf.content, tmp_path)
    assert "関係者限り" in pages[0] and all("関係者限り" in p for p in pages[1:])
    assert "TKG-7Q4M-2K9P" in pages[0] and "tekigo.example/v/" in pages[0]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert reader.pages[0]["/Resources"].get("/XObject")  # the logo (and QR) are drawn
    # Without a logo attachment the logo URL is refused, and the render fails.
    with pytest.raises(ReportResourceMissing):
        render(snapshot, meta)


def test_the_default_marking_is_shagaihi(assessment, tmp_path):
    pages = pdftotext(
        render(gap_analysis_compute(assessment=assessment), BASE_META).content, tmp_path
    )
    assert "社外秘" in pages[0] and "社外秘" in pages[2]


def test_scope_statement_executive_summary_and_evidence_index(assessment, officer, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import evidence_upload
    from tests.conftest import question_of

    version = assessment.pins.get().version
    answer(assessment, officer, "q:art-7-contact", value="no")
    evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question_of(version, "q:art-7-contact").pk,
        upload=SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    )
    snapshot = gap_analysis_compute(assessment=assessment)
    snapshot.frameworks[0].notes_en = "Act No. 56 of 2026 amends this Act; mostly not yet in force."
    text = "".join(pdftotext(render(snapshot, BASE_META).content, tmp_path))
    assert "you handle personal information" in text and "AI roles: AI provider" in text
    assert "Act No. 56 of 2026" in text  # the version note, in the scope statement
    assert "High-severity gaps" in text and "(provisions)" in text
    assert "Statutes (law)" in text and "Overall score" not in text  # no blended headline
    assert "The ten most serious gaps" in text
    assert "No previous approved assessment" in text
    index = text.split("Evidence index")[-1]
    assert "policy.pdf" in index and "officer" in index
    assert hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest()[:20] in index.replace("\n", "")
    missing = text.split("Questions that expect evidence and have none")[1].split("Action plan")[0]
    assert "Which channels?" in missing and "Have you named a contact?" not in missing


def test_a_question_is_printed_once_in_its_gap_or_under_its_provision_and_a_note_once(
    assessment, officer, tmp_path
):
    answer(assessment, officer, "q:art-7-contact", value="partial", comment="drafted by legal")
    snapshot = gap_analysis_compute(assessment=assessment)
    snapshot.frameworks[0].notes_en = "A note on this version."
    text = "".join(pdftotext(render(snapshot, BASE_META).content, tmp_path))
    gaps = text.split("Gaps by kind of framework")[-1].split("Statute · effective")[0]
    chapter = text.split("Statute · effective")[1].split("Evidence index")[0]
    # The answer that falls short: in the gap, with its comment and remediation, and nowhere else.
    assert "Answer: Partly — drafted by legal" in gaps and "Remediation: Name a contact." in gaps
    assert text.count("Have you named a contact?") == 1
    # The provision's other question stays under its row in the framework chapter.
    after_row = chapter.split("Art. 7 Duties of utilization business operators")[1]
    assert "Who is it? → Not answered" in after_row
    assert "Questions that fall short are not repeated here" in chapter
    assert text.count("A note on this version.") == 1  # in the scope statement only
    assert "The notes on this version are in the scope statement." in chapter


def collector_state_during(block):
    import gc

    from reports.rendering import collector_paused

    with collector_paused():
        inner = gc.isenabled()
        block()
    return inner, gc.isenabled()


def test_collector_paused_frees_the_cycles_made_in_the_block_when_it_ends():
    import weakref

    from reports.rendering import collector_paused

    class Box:
        pass

    with collector_paused():
        box = Box()
        box.itself = box  # a reference cycle, like WeasyPrint's boxes and their parents
        ref = weakref.ref(box)
        del box
        assert ref() is not None  # the collector is off: the cycle waits
    assert ref() is None


def test_collector_paused_nests_and_leaves_an_already_disabled_collector_off():
    import gc

    from reports.rendering import collector_paused

    # Nested blocks: the collector comes back only when the outer one ends.
    with collector_paused():
        assert collector_state_during(lambda: None) == (False, False)
    assert gc.isenabled()
    # A collector that was off before stays off.
    gc.disable()
    try:
        assert collector_state_during(lambda: None) == (False, False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_framework_without_effective_date_prints_no_date(assessment, tmp_path):
    snapshot = gap_analysis_compute(assessment=assessment)
    snapshot.frameworks[0].effective_date = None
    html = report_html_render(snapshot=snapshot, language="ja", report_meta=BASE_META, for_pdf=True)
    assert "2025-09-01" not in html and "None" not in html
    assert "施行" not in html.split('id="fw-1"')[1].split("</p>")[0]


def test_japanese_pdf_cites_the_japanese_reference_with_enforcement_and_severity(
    assessment, tmp_path
):
    snapshot = gap_analysis_compute(assessment=assessment)
    for pi in [*snapshot.gaps, *snapshot.frameworks[0].provisions()]:
        if pi.urn.endswith(":pi"):
            pi.ref_ja, pi.enforcement = "第1号", "regulator_order"
            pi.enforcement_articles = ["148", "178"]
    ja = "".join(pdftotext(render(snapshot, BASE_META, language="ja").content, tmp_path))
    assert "第1号 適正取得" in ja and "第148条" in ja and "第178条" in ja
    assert "Item 1 適正取得" not in ja
    en = "".join(pdftotext(render(snapshot, BASE_META, language="en").content, tmp_path))
    assert "Item 1" in en and "Art. 148" in en and "recommendation and order" in en


def test_reported_claims_show_no_status_and_no_percentage_in_the_pdf(
    officer, organisation, tmp_path
):
    from tests.reports.test_analysis import assess, load_variant

    version = load_variant(
        legal_status="reported_unverified",
        urn="urn:tekigo:fw:rumour",
        binding="reported",
        binding_no_sanction="reported",
        government_duty="reported",
    )
    assessment = assess(officer, organisation, version)
    answer(assessment, officer, "q:art-7-contact", value="no")
    text = "".join(
        pdftotext(render(gap_analysis_compute(assessment=assessment), BASE_META).content, tmp_path)
    )
    watch = text.split("Watch list: reported claims")[-1].split("Evidence index")[0]
    assert "Would it concern your organisation? Yes" in watch.replace("\n", " ")
    assert "%" not in text.split("Contents")[1].split("Methodology")[0]
    for status in ("Gap", "Partly compliant", "Compliant", "Not applicable"):
        assert f" {status} " not in watch


# --- PDF/A (issue 11) --------------------------------------------------------------------------


@pytest.fixture
def signed_report(assessment, officer):
    """The PDF of a report as issued: rendered, signed (an incremental update), stored."""
    from reports.services import report_path, report_render, report_request

    report = report_request(actor=officer, assessment=assessment, language="ja")
    report = report_render(report_id=report.pk, worker="t:1")
    return report_path(report.pdf_name).read_bytes()


def _catalog_and_xmp(content: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(content))
    root = reader.root
    return reader, root, root["/Metadata"].get_object().data.decode()


def test_the_issued_pdf_declares_pdf_a_2u_and_pdf_ua_1_with_an_output_intent(signed_report):
    from reports.signing import SignatureStatus, pdf_signature_check

    reader, root, xmp = _catalog_and_xmp(signed_report)

    # Identification in the XMP metadata of the signed file (pyHanko rewrote it when signing).
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert 'pdfuaid:part="1"' in xmp
    assert "pdfaSchema:prefix" in xmp and "pdfuaid" in xmp  # the extension schema survived
    # The sRGB output intent with its ICC profile.
    [intent] = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().data[36:40] == b"acsp"  # an ICC profile
    # Still tagged for PDF/UA: structure tree, marked content, document language.
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "ja"
    # PDF/A: the document information says what the XMP says (the producer after signing).
    info = reader.trailer_view["/Info"].get_object()
    assert f'pdf:Producer="{info["/Producer"]}"' in xmp
    # PDF/A: the file's trailer (the signature's, the last one) carries the file identifier.
    first, second = reader.trailer_view["/ID"]
    assert len(first) == len(second) == 16
    # And the signature over all of it still holds.
    assert pdf_signature_check(signed_report).status == SignatureStatus.VALID


def test_the_unsigned_render_declares_pdf_a_and_leaves_the_identifier_to_the_signature(
    assessment,
):
    snapshot = gap_analysis_compute(assessment=assessment)
    html = report_html_render(
        snapshot=snapshot, language="en", report_meta={"report_id": "t"}, for_pdf=True
    )
    reader, root, xmp = _catalog_and_xmp(report_pdf_render(html=html).content)
    assert 'pdfaid:part="2"' in xmp and 'pdfuaid:part="1"' in xmp
    # No producer to contradict the signature's, and no identifier (pydyf would serialise the
    # whole file twice to make one; the signature's trailer has it, see PDF_OPTIONS).
    assert "/Producer" not in reader.trailer_view["/Info"].get_object()
    assert "/ID" not in reader.trailer_view


def test_the_document_information_is_an_object_of_its_own_outside_the_object_stream(assessment):
    """pyHanko reads it when signing; at the end of the object stream it cost a parse of the
    stream's whole index (24 ms of the largest report's 60 ms signature)."""
    snapshot = gap_analysis_compute(assessment=assessment)
    html = report_html_render(
        snapshot=snapshot, language="en", report_meta={"report_id": "t"}, for_pdf=True
    )
    content = report_pdf_render(html=html).content
    info = PdfReader(io.BytesIO(content)).trailer.raw_get("/Info")
    assert f"\n{info.idnum} 0 obj".encode() in content  # written at an offset, not compressed
    assert b"/Type /ObjStm" in content  # the rest is still in the compressed object stream
