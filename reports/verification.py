"""Checking an issued report without an account: verification codes, QR codes, and the verdict.

Every report has a verification code, printed on its cover with a QR code of its public URL
(``<PUBLIC_BASE_URL>/verify/<code>/``) and written into the signature's *location*. Anyone
holding the PDF can ask whether this Tekigo issued it, and whether the file is unchanged:

    report_verification_check(content=pdf_bytes, code=None)
    # PublicVerification(verdict="genuine", report_number=12, issued_on=date(2026, 11, 29), ...)

The answer names only the report number and the date of issue: never the organisation, the
assessment or anything in the report, so a code or a file proves nothing more to a stranger.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import Report, ReportStatus
from reports.signing import SignatureCheck, SignatureStatus, pdf_sign, pdf_signature_check

#: A code as stored: 24 characters of the base32 alphabet.
CODE_PATTERN = re.compile(r"^[A-Z2-7]{24}$")
#: The code inside a verification URL in a PDF, as written in a literal string (``/`` may be
#: escaped as ``\057``). Used only to find which report a file claims to be.
_CLAIMED_CODE = re.compile(rb"verify(?:/|\\057)([A-Z2-7]{24})(?:/|\\057)")


def code_normalize(raw: str) -> str | None:
    """The code in canonical form, or None if it cannot be one: ``"k7qf 3mz2-…"`` → ``"K7QF3MZ2…"``."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if CODE_PATTERN.match(code) else None


def report_verification_url(report: Report) -> str:
    """The absolute public URL that checks this report, e.g. ``https://tekigo.example/verify/K7QF…/``."""
    path = reverse("reports:public_verify_code", args=[report.verification_code])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def verification_qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (segno, error correction M), about 3 cm wide in a PDF."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, border=2, title=url)


def report_pdf_sign(*, report: Report, content: bytes) -> bytes:
    """The report's PDF signed by this instance, with the verification URL as the location."""
    with translation.override(report.language):
        reason = _("Issued by Tekigo as report %(number)s") % {"number": report.pk}
    return pdf_sign(content, reason=reason, location=report_verification_url(report))


def claimed_code(content: bytes) -> str | None:
    """The verification code a PDF carries (the last one: the signature is appended last)."""
    found = _CLAIMED_CODE.findall(content)
    return found[-1].decode() if found else None


class Verdict(enum.StrEnum):
    """``genuine``: this file is the PDF issued, unchanged, and its signature is ours.
    ``issued``: the code belongs to an issued report (no file was given to compare).
    ``altered``: the file claims to be an issued report but is not the file issued.
    ``unknown``: nothing this Tekigo issued matches."""

    GENUINE = "genuine"
    ISSUED = "issued"
    ALTERED = "altered"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PublicVerification:
    """What the public page may say: a verdict, and for a known report its number and date."""

    verdict: Verdict
    report_number: int | None = None
    issued_on: dt.date | None = None
    signature: SignatureCheck | None = None

    @property
    def is_genuine(self) -> bool:
        return self.verdict == Verdict.GENUINE


def report_verification_check(*, content: bytes | None, code: str | None) -> PublicVerification:
    """Check a PDF (``content``), a typed ``code``, or both, against the reports issued here.

    With a file, the report is the one named by ``code``, else by the code inside the file,
    else the one with the file's SHA-256; the file is genuine when its SHA-256 is the one
    stored at issue and its signature is intact (a report issued before signing existed has
    none). One query at most.
    """
    signature = pdf_signature_check(content) if content is not None else None
    digest = hashlib.sha256(content).hexdigest() if content is not None else None
    if code is None and content is not None:
        code = claimed_code(content)
    # Only what the answer needs: the page must not be able to reach anything else.
    ready = Report.objects.filter(status=ReportStatus.READY).only(
        "pk", "requested_at", "pdf_sha256", "verification_code"
    )
    if code is not None:
        report = ready.filter(verification_code=code).first()
    elif digest is not None:
        report = ready.filter(pdf_sha256=digest).first()
    else:
        report = None
    if report is None:
        return PublicVerification(Verdict.UNKNOWN, signature=signature)
    known = {
        "report_number": report.pk,
        "issued_on": timezone.localdate(report.requested_at),
        "signature": signature,
    }
    if content is None:
        return PublicVerification(Verdict.ISSUED, **known)
    unchanged = digest == report.pdf_sha256
    signature_ok = signature is not None and signature.status in (
        SignatureStatus.VALID,
        SignatureStatus.UNSIGNED,  # issued before reports were signed: the stored hash decides
    )
    if unchanged and signature_ok:
        return PublicVerification(Verdict.GENUINE, **known)
    return PublicVerification(Verdict.ALTERED, **known)
