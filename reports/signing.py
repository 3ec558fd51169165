"""PAdES signatures on issued reports, by the instance's signing key.

Every PDF Tekigo issues is signed (PAdES baseline B-B: a CMS signature over the whole file,
with the signing certificate embedded), so any PDF reader can tell whether the document was
changed after issue, and so can :func:`pdf_signature_check` without a database.

Example::

    signed = pdf_sign(pdf_bytes, location="https://tekigo.example/verify/ABCD.../")
    pdf_signature_check(signed).status          # SignatureStatus.VALID
    pdf_signature_check(signed[:-1] + b"X").status  # SignatureStatus.ALTERED

The key and certificate come from settings (``REPORT_SIGNING_KEY`` / ``REPORT_SIGNING_CERT``,
PEM text or a file path; in production from the environment and required). Without them,
development and tests generate a self-signed pair once into ``REPORT_SIGNING_GENERATED``.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

# Imported with the module, not on first use: like WeasyPrint, pyHanko takes about a second to
# import, and that belongs to the process start, not to the first report a worker signs.
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

logger = logging.getLogger(__name__)

#: The name of the signature field Tekigo adds; a PDF reader lists the signature under it.
FIELD_NAME = "TekigoSignature"
#: The subject of a generated development certificate; a reader shows it as the signer.
GENERATED_SUBJECT = "Tekigo report signing (self-signed, development)"


class SignatureStatus(enum.StrEnum):
    """What a PDF's signature says about the file.

    ``valid``: signed by this instance's key and unchanged since. ``altered``: signed, but the
    bytes no longer match the signature (or the file cannot be read as a signed PDF any more).
    ``unsigned``: no signature at all. ``not_ours``: an intact signature by another key.
    """

    VALID = "valid"
    ALTERED = "altered"
    UNSIGNED = "unsigned"
    NOT_OURS = "not_ours"

    @property
    def label(self) -> str:
        return {
            "valid": _("valid, by this Tekigo's key"),
            "altered": _("broken: the file changed after signing"),
            "unsigned": _("not signed"),
            "not_ours": _("signed by another key"),
        }[self.value]


@dataclass(frozen=True)
class SignatureCheck:
    """The result of :func:`pdf_signature_check`, e.g. ``valid`` by ``Tekigo report signing``
    at 2026-11-29 12:00 JST."""

    status: SignatureStatus
    signer: str = ""
    signed_at: dt.datetime | None = None
    detail: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == SignatureStatus.VALID


@dataclass(frozen=True)
class SigningMaterial:
    """The private key, the signing certificate and any intermediate certificates."""

    key: asn1_keys.PrivateKeyInfo
    cert: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]


# --- Key material ----------------------------------------------------------------------------


def _pem_or_path(value: str) -> bytes:
    """PEM text as given, or the content of the file it names."""
    if value.lstrip().startswith("-----BEGIN"):
        return value.encode()
    path = Path(value)
    if not path.is_file():
        raise ImproperlyConfigured(f"The report signing file {value!r} does not exist.")
    return path.read_bytes()


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    if not asn1_pem.detect(data):
        return [("", data)]  # DER
    return [(kind, der) for kind, _headers, der in asn1_pem.unarmor(data, multiple=True)]


def _load_key(data: bytes, password: str | None) -> asn1_keys.PrivateKeyInfo:
    from cryptography.hazmat.primitives import serialization

    secret = password.encode() if password else None
    for kind, der in _pem_blocks(data):
        if kind and "PRIVATE KEY" not in kind:
            continue
        key = serialization.load_der_private_key(der, password=secret)
        return asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    raise ImproperlyConfigured("REPORT_SIGNING_KEY holds no private key.")


def _load_certs(data: bytes) -> list[asn1_x509.Certificate]:
    return [
        asn1_x509.Certificate.load(der)
        for kind, der in _pem_blocks(data)
        if not kind or kind == "CERTIFICATE"
    ]


def signing_material_generate(path: Path) -> None:
    """Write a new self-signed key and certificate (one PEM file) to ``path``, unless it exists.

    Created under a temporary name and linked into place, so two processes starting at once
    (the test run and its Celery worker) end up with the same pair.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    if path.exists():
        return
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, GENERATED_SUBJECT)])
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    bundle = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + cert.public_bytes(serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, bundle)
        os.close(fd)
        try:
            os.link(temporary, path)  # fails if another process got there first: keep theirs
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


@functools.lru_cache(maxsize=4)
def _material(
    key: str | None, cert: str | None, password: str | None, generated: str | None
) -> SigningMaterial:
    if not key or not cert:
        if not generated:
            raise ImproperlyConfigured(
                "REPORT_SIGNING_KEY and REPORT_SIGNING_CERT are required to sign reports."
            )
        signing_material_generate(Path(generated))
        key = cert = generated
    certs = _load_certs(_pem_or_path(cert))
    if not certs:
        raise ImproperlyConfigured("REPORT_SIGNING_CERT holds no certificate.")
    return SigningMaterial(
        key=_load_key(_pem_or_path(key), password), cert=certs[0], chain=tuple(certs[1:])
    )


def signing_material() -> SigningMaterial:
    """This instance's key and certificate, loaded once per process."""
    return _material(
        settings.REPORT_SIGNING_KEY,
        settings.REPORT_SIGNING_CERT,
        settings.REPORT_SIGNING_KEY_PASSWORD,
        str(settings.REPORT_SIGNING_GENERATED) if settings.REPORT_SIGNING_GENERATED else None,
    )


# --- Signing and checking --------------------------------------------------------------------


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their own event loop
    (``asyncio.run``): in a thread of its own when this thread already runs one (a caller driven
    by an async framework, such as the browser tests' Playwright), directly otherwise."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def pdf_sign(content: bytes, *, reason: str = "", location: str = "") -> bytes:
    """``content`` with a PAdES B-B signature by this instance's key, as an incremental update.

    ``reason`` and ``location`` appear in a reader's signature panel (Tekigo puts the
    verification URL in ``location``).
    """

    material = signing_material()
    signer = signers.SimpleSigner(
        signing_cert=material.cert,
        signing_key=material.key,
        cert_registry=SimpleCertificateStore.from_certs([material.cert, *material.chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        location=location or None,
    )
    # strict=False: WeasyPrint's PDFs are fine, but a stricter parser would refuse harmless quirks.
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    return _outside_event_loop(
        signers.sign_pdf,
        writer,
        metadata,
        signer=signer,
        bytes_reserved=signature_bytes_reserved(material),
    ).getvalue()


def signature_bytes_reserved(material: SigningMaterial) -> int:
    """Room for the CMS signature in the PDF: every certificate it carries, plus 4 KiB for the
    signed attributes and the signature value (a few hundred bytes with RSA or ECDSA keys).

    Given to pyHanko so that it does not compute a throw-away signature first to measure one
    (about 10 % of the signing time). Example: a 901-byte self-signed certificate → 4,998 bytes.
    """
    certificates = sum(len(cert.dump()) for cert in (material.cert, *material.chain))
    return 4096 + certificates + certificates % 2  # pyHanko wants an even number


def _subject(cert: asn1_x509.Certificate) -> str:
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # an odd subject is not a reason to fail the check
        return cert.subject.human_friendly


def pdf_signature_check(content: bytes) -> SignatureCheck:
    """Whether ``content`` carries an intact signature by this instance's key over the whole file.

    Never raises for bad input: a file that is not a PDF, or whose signature cannot be parsed,
    is ``unsigned`` or ``altered``.
    """

    signed = b"/ByteRange" in content  # a PAdES signature dictionary, even in a damaged file
    try:
        signatures = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except Exception as exc:  # pyHanko raises several kinds for damaged files
        if signed:
            return SignatureCheck(SignatureStatus.ALTERED, detail=f"unreadable: {exc}"[:200])
        return SignatureCheck(SignatureStatus.UNSIGNED, detail="not a readable PDF")
    if not signatures:
        if signed:
            return SignatureCheck(SignatureStatus.ALTERED, detail="signature dictionary damaged")
        return SignatureCheck(SignatureStatus.UNSIGNED)
    material = signing_material()
    signature = signatures[-1]
    try:
        status = _outside_event_loop(
            validate_pdf_signature,
            signature,
            ValidationContext(trust_roots=[material.cert], allow_fetching=False),
        )
    except Exception as exc:
        return SignatureCheck(SignatureStatus.ALTERED, detail=f"invalid signature: {exc}"[:200])
    signer = _subject(status.signing_cert)
    signed_at = status.signer_reported_dt or signature.self_reported_timestamp
    if (
        not status.intact
        or not status.valid
        or status.coverage != SignatureCoverageLevel.ENTIRE_FILE
    ):
        return SignatureCheck(
            SignatureStatus.ALTERED,
            signer,
            signed_at,
            "the file changed after it was signed",
        )
    if status.signing_cert.dump() != material.cert.dump():
        return SignatureCheck(SignatureStatus.NOT_OURS, signer, signed_at, "another signer")
    return SignatureCheck(SignatureStatus.VALID, signer, signed_at)
