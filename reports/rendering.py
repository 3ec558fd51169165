"""Turning a report snapshot into HTML and PDF.

WeasyPrint only ever sees our own static files: :class:`StaticOnlyFetcher`
serves ``/static/...`` URLs from the staticfiles finders (development) or the
staticfiles storage (production, where names carry a hash: ``css/report.3f2a.css``),
plus the few in-memory attachments the caller hands it (the organisation's logo),
and refuses every other URL (http, https elsewhere, file, data), so user text can
never make the renderer open a connection or read a local file.

A resource the report needs and cannot load (stylesheet, image, the body font)
makes the render fail with :class:`ReportResourceMissing`: a report without its
stylesheet is a different document (no cover layout, no page numbers, fallback
fonts), so it must never be issued as ready.
"""

from __future__ import annotations

import gc
import io
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.snapshot import ReportSnapshot, snapshot_load

#: The origin WeasyPrint resolves relative URLs against; it exists only inside the renderer.
BASE_URL = "https://tekigo.invalid/"
#: In-memory attachments (``attachments={"logo": (bytes, mime)}``) are served under this path.
ATTACHMENT_PATH = "/attachment/"
#: The font the report's text is set in; a PDF without it has fallen back to something else.
BODY_FONT = "Noto Sans CJK JP"
MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
}


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


class ReportResourceMissing(RuntimeError):
    """A resource the report needs could not be loaded; the PDF would not be the report.

    Example: ``stylesheet or image not loaded: not one of our static files: css/report.3f2a.css``.
    """


def _storage_file(relative: str) -> Path | None:
    """The collected file ``relative`` names in the staticfiles storage, if it is one of ours.

    With a manifest storage only names in the manifest count (the hashed and the plain
    names of collected files), so nothing else that happens to sit in STATIC_ROOT is served.
    """
    storage = staticfiles_storage
    manifest = getattr(storage, "hashed_files", None)
    if manifest is not None and relative not in manifest and relative not in manifest.values():
        return None
    try:
        path = Path(storage.path(relative))  # safe_join: never outside STATIC_ROOT
    except Exception:  # SuspiciousFileOperation (outside STATIC_ROOT), NotImplementedError (remote)
        return None
    return path if path.is_file() else None


def static_file_resolve(url: str) -> tuple[bytes, str]:
    """``(content, mime type)`` of ``https://tekigo.invalid/static/<path>``; RefusedURL for anything else."""
    parts = urlsplit(url)
    origin = urlsplit(BASE_URL)
    if (
        parts.scheme != origin.scheme
        or parts.netloc != origin.netloc
        or parts.query
        or parts.fragment
    ):
        raise RefusedURL(f"refused: {url[:100]}")
    if not parts.path.startswith(settings.STATIC_URL):
        raise RefusedURL(f"refused: {url[:100]}")
    relative = unquote(parts.path[len(settings.STATIC_URL) :])
    if (
        not relative
        or relative.startswith("/")
        or "\\" in relative
        or ".." in PurePosixPath(relative).parts
    ):
        raise RefusedURL(f"refused: {url[:100]}")
    found = finders.find(relative)
    path = Path(found) if found else _storage_file(relative)
    if path is None:
        raise RefusedURL(f"not one of our static files: {relative[:100]}")
    mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return path.read_bytes(), mime


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, narrowed to our static files and the caller's attachments: no
    network, no file://, no data: URLs. Every refusal is kept in ``failures``.

    Example: ``StaticOnlyFetcher(attachments={"logo": (png_bytes, "image/png")})`` serves
    ``https://tekigo.invalid/attachment/logo`` and ``/static/css/report.css``, nothing else.
    """

    def __init__(self, *, attachments: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.attachments = attachments or {}
        self.failures: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        prefix = BASE_URL.rstrip("/") + ATTACHMENT_PATH
        try:
            if url.startswith(prefix):
                name = url[len(prefix) :]
                if name not in self.attachments:
                    raise RefusedURL(f"no such attachment: {name[:50]}")
                content, mime = self.attachments[name]
            else:
                content, mime = static_file_resolve(url)
        except RefusedURL as exc:
            self.failures.append(str(exc))
            raise
        return URLFetcherResponse(url, content, {"Content-Type": mime})


def attachment_url(name: str) -> str:
    """The URL the template uses for an in-memory attachment: ``attachment_url("logo")``."""
    return BASE_URL.rstrip("/") + ATTACHMENT_PATH + name


class _ErrorCollector(logging.Handler):
    """Keeps WeasyPrint's error messages ("Failed to load stylesheet at ...") of one render."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:300])


@contextmanager
def _weasyprint_errors():
    collector = _ErrorCollector()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        weasy_logger.removeHandler(collector)


_paused_lock = threading.Lock()
_paused_depth = 0
_enabled_before = True


@contextmanager
def collector_paused():
    """Run the block with Python's cyclic garbage collector off, and collect once at the end.

    Why: laying out and writing a report allocates a few million short-lived objects, and the
    collector's generational passes walk the growing heap again and again; on the demo report
    (43 pages) they were a quarter of the render (2.6-2.9 s with the collector, 2.0-2.15 s
    without, the same PDF and the same peak memory, because the render's cycles are freed only
    at the end either way). The one collection at the end runs when the block is left, so a
    caller that marks the report ready inside the block does not keep the person waiting for
    it. It collects the youngest generation only: with no collection during the block,
    everything the block allocated is still there, so that frees all of the render's cycles
    (about 150,000 objects, 0.14 s) without walking the rest of the process's heap (a full pass
    took 0.2 s in a worker and 0.4 s in a large test process).

    Example::

        with collector_paused():
            pdf = report_pdf_render(html=html)

    Nested or concurrent blocks (threads) re-enable the collector only when the last one ends,
    and never if it was off before the first one started.
    """
    global _paused_depth, _enabled_before
    with _paused_lock:
        if _paused_depth == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _paused_depth += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused_depth -= 1
            last = _paused_depth == 0
            if last and _enabled_before:
                gc.enable()
        if last:
            gc.collect(0)


def report_html_render(
    *,
    snapshot: ReportSnapshot | dict[str, Any],
    language: str,
    report_meta: dict[str, Any],
    for_pdf: bool,
) -> str:
    """The report as HTML in ``language``; the same template serves the browser and the PDF.

    ``snapshot`` is the typed snapshot or a stored dict of any schema version (upgraded here).
    """
    if not isinstance(snapshot, ReportSnapshot):
        snapshot = snapshot_load(snapshot)
    with translation.override(language):
        return render_to_string(
            "reports/report.html",
            {
                "s": snapshot,
                "lang": language,
                "meta": report_meta,
                "for_pdf": for_pdf,
                "chart": score_chart(snapshot, language),
                **deliverable_context(snapshot, report_meta),
            },
            using="jinja2",
        )


#: The default confidentiality marking when the organisation has not set one.
DEFAULT_CONFIDENTIALITY = "社外秘"


def deliverable_context(snapshot: ReportSnapshot, meta: dict[str, Any]) -> dict[str, Any]:
    """What makes the PDF a deliverable, from ``meta`` (see ``reports.services.report_meta``).

    ``meta["approval"]`` (a dict, set by the review workflow) removes the DRAFT watermark and adds
    the sign-off block; ``meta["stage"]`` names the stage on the cover. Without them the report
    is a draft, its stage taken from the assessment's status in the snapshot.
    Example: ``{"approval": None}`` → ``{"watermark": True, "stage": "draft", ...}``.
    """
    from django.utils.translation import gettext as _

    approval = meta.get("approval") or None
    stage = meta.get("stage") or (
        "approved"
        if approval
        else "submitted"
        if snapshot.assessment.status == "submitted"
        else "draft"
    )
    score_groups = [
        (_("Statutes (law)"), snapshot.statute_frameworks),
        (_("Guidelines (not law)"), snapshot.guideline_frameworks),
    ]
    return {
        "approval": approval,
        "watermark": approval is None,
        "stage": stage,
        "confidentiality": meta.get("confidentiality") or DEFAULT_CONFIDENTIALITY,
        "logo_url": meta.get("logo_url", ""),
        "score_groups": [(title, rows) for title, rows in score_groups if rows],
    }


@dataclass(frozen=True)
class RenderedPDF:
    """A rendered PDF; ``seconds`` is wall time, ``cpu_seconds`` this process's CPU time of the
    WeasyPrint step (what bench/render_one.py compares with the rest of the pipeline)."""

    content: bytes
    pages: int
    seconds: float
    cpu_seconds: float = 0.0


def report_pdf_render(
    *, html: str, attachments: dict[str, tuple[bytes, str]] | None = None
) -> RenderedPDF:
    """The PDF of ``html``; ReportResourceMissing if a stylesheet, image or the body font
    could not be used (the document would silently differ from the report)."""
    from weasyprint import HTML

    started, cpu_started = time.perf_counter(), time.process_time()
    fetcher = StaticOnlyFetcher(attachments=attachments)
    with _weasyprint_errors() as errors:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        buffer = io.BytesIO()
        document.write_pdf(buffer, finisher=report_pdf_finisher, **PDF_OPTIONS)
    problems = [*fetcher.failures, *errors]
    families = {font.family for font in document.fonts.values()}
    pages = len(document.pages)
    # Released here, inside the step's time, as HTML.write_pdf does: freeing the laid-out pages
    # is WeasyPrint's work (6-10 ms for the largest report), not the rest of the pipeline's.
    del document
    if BODY_FONT not in families:
        problems.append(f"font not available: {BODY_FONT} (used: {', '.join(sorted(families))})")
    if problems:
        raise ReportResourceMissing("; ".join(dict.fromkeys(problems))[:1500])
    return RenderedPDF(
        buffer.getvalue(), pages, time.perf_counter() - started, time.process_time() - cpu_started
    )


#: An archival PDF (PDF/A-2u: fonts embedded, sRGB output intent, identified in XMP) that is also
#: tagged (PDF/UA-1: structure, reading order and language for screen readers). WeasyPrint has no
#: combined variant, so the PDF/A variant is asked for with tags on, and :func:`report_pdf_finisher` adds
#: the PDF/UA identification. "u" rather than "a" conformance: we claim only what we can check
#: without a validator (see bench/README.md, "PDF/A").
#:
#: No file identifier (``/ID``) from WeasyPrint: pydyf derives it by serialising and compressing
#: the whole file a second time (0.2 s of the demo report's 2 s). PDF/A needs one in the file's
#: trailer, and every issued report gets it from its signature: the signature is an incremental
#: update whose trailer pyHanko always writes with an ``/ID`` (ISO 32000-1, 14.4). An unsigned
#: render (``manage.py render_report``, a draft for the developer) has none and is not PDF/A.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/a-2u", "pdf_tags": True, "pdf_identifier": False}

#: The PDF/UA identification, and the PDF/A extension schema that declares its namespace (PDF/A
#: allows in XMP only predefined properties and properties described by an extension schema).
_PDFUA_XMP = (
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"'
    b' xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"'
    b' xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>'
    b'<rdf:li rdf:parseType="Resource">'
    b"<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>"
    b"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
    b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>"
    b'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name>'
    b"<pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    b"<pdfaProperty:category>internal</pdfaProperty:category>"
    b"<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>"
    b"</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>"
    b"</rdf:Description>"
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"'
    b' pdfuaid:part="1"/>'
)


def report_pdf_finisher(document, pdf) -> None:
    """WeasyPrint's last step before the file is written: declare PDF/UA-1 next to PDF/A-2u in
    the XMP metadata, and leave ``/Producer`` out of the document information.

    Why no producer: the signature is an incremental update in which pyHanko sets the producer
    to its own name in the XMP but appends it to an existing information-dictionary producer
    ("WeasyPrint 70.0; pyHanko 0.38.0"); PDF/A requires both to say the same. Without one,
    pyHanko writes the same name in both.
    """
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            xmp = b"".join(obj.stream)
            obj.stream = [xmp.replace(b"</rdf:RDF>", _PDFUA_XMP + b"</rdf:RDF>", 1)]
    pdf.info.pop("Producer", None)
    pdf.info = _PlainDictionary(pdf.info)


class _PlainDictionary(pydyf.Dictionary):
    """A dictionary written as an object of its own, outside the compressed object stream.

    Used for the document information dictionary: pydyf writes it last, so in the object stream
    it sits behind every other object (about 6,700 for the largest report), and pyHanko, which
    reads it to update the dates when it signs, parses the stream's whole index to find it:
    24 ms of a 60 ms signature. Outside the stream it is read at its offset.
    """

    @property
    def compressible(self) -> bool:
        return False


def score_chart(snapshot: ReportSnapshot, language: str) -> str:
    """A horizontal bar chart of the framework scores as inline SVG (no script, no external file).

    Set in the body font; reported claims show "watch only" and never a bar or a percentage.
    """
    from django.utils.html import escape

    rows = snapshot.frameworks
    bar_h, gap, label_w, width = 16, 6, 230, 560
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="{BODY_FONT}">'
    ]
    for i, f in enumerate(rows):
        y = gap + i * (bar_h + gap)
        name = escape(f.short_name_en if language == "en" else f.short_name_ja)
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">{name}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{width - label_w - 60}" height="{bar_h}" fill="#eef0f4"/>'
        )
        if f.watch_only or f.score is None:
            label = ("監視のみ" if language == "ja" else "watch only") if f.watch_only else "—"
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 12}" font-size="10" fill="#8a4b00">{label}</text>'
            )
            continue
        w = (width - label_w - 60) * f.score
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#1f5fbf"/>'
        )
        parts.append(
            f'<text x="{width - 52}" y="{y + 12}" font-size="11">{f.score * 100:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
