"""The renderer reads only our static files, and user text stays text."""

import io
import socket
import threading

import pytest
from pypdf import PdfReader

from reports.analysis import gap_analysis_compute
from reports.rendering import (
    BASE_URL,
    RefusedURL,
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
    snapshot = gap_analysis_compute(assessment=assessment)
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
    snapshot = gap_analysis_compute(assessment=assessment)
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
