"""Turning a report snapshot into HTML and PDF.

WeasyPrint only ever sees our own static files: :class:`StaticOnlyFetcher`
serves ``/static/...`` URLs from the staticfiles finders and refuses every
other URL (http, https elsewhere, file, data), so user text can never make the
renderer open a connection or read a local file.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The origin WeasyPrint resolves relative URLs against; it exists only inside the renderer.
BASE_URL = "https://tekigo.invalid/"


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of our static files."""


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
    if not found:
        raise RefusedURL(f"not one of our static files: {relative[:100]}")
    path = Path(found)
    mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )
    return path.read_bytes(), mime


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, narrowed to our static files: no network, no file://, no data: URLs."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        content, mime = static_file_resolve(url)
        return URLFetcherResponse(url, content, {"Content-Type": mime})


def report_html_render(
    *, snapshot: dict[str, Any], language: str, report_meta: dict[str, Any], for_pdf: bool
) -> str:
    """The report as HTML in ``language``; the same template serves the browser and the PDF."""
    with translation.override(language):
        return render_to_string(
            "reports/report.html",
            {
                "s": snapshot,
                "lang": language,
                "meta": report_meta,
                "for_pdf": for_pdf,
                "chart": score_chart(snapshot, language),
            },
        )


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int
    seconds: float


def report_pdf_render(*, html: str) -> RenderedPDF:
    from weasyprint import HTML

    started = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return RenderedPDF(buffer.getvalue(), len(document.pages), time.perf_counter() - started)


def score_chart(snapshot: dict[str, Any], language: str) -> str:
    """A horizontal bar chart of the framework scores as inline SVG (no script, no external file)."""
    from django.utils.html import escape

    rows = [f for f in snapshot["frameworks"]]
    bar_h, gap, label_w, width = 22, 10, 230, 560
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
    ]
    for i, f in enumerate(rows):
        y = gap + i * (bar_h + gap)
        name = escape(f["short_name_en"] if language == "en" else f["short_name_ja"])
        parts.append(f'<text x="0" y="{y + 16}" font-size="12">{name}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{width - label_w - 60}" height="{bar_h}" fill="#eef0f4"/>'
        )
        if f["legal_status"] == "reported_unverified" or f["score"] is None:
            label = "監視のみ" if language == "ja" else "watch only"
            parts.append(
                f'<text x="{label_w + 6}" y="{y + 16}" font-size="11" fill="#8a4b00">{label}</text>'
            )
            continue
        w = (width - label_w - 60) * f["score"]
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#1f5fbf"/>'
        )
        parts.append(
            f'<text x="{width - 52}" y="{y + 16}" font-size="12">{f["score"] * 100:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
