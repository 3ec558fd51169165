"""Evidence files: which types are accepted, how their content is checked, where they are stored.

Files are kept through Django's storage API (``portal.storage``) under ``evidence/`` with a
random name (``evidence/3f2a…9c.pdf``) and are served only by a permission-checked view, never by
the web server.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from portal.storage import file_storage, stored_key

# extension → (content type, check of the first bytes)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".txt": ("text/plain", None),
    ".csv": ("text/csv", None),
    ".md": ("text/markdown", None),
}


EVIDENCE_FOLDER = "evidence"


def evidence_path(stored_name: str) -> Path:
    """The file on the local disk: only for the filesystem storage (tests, tools)."""
    return Path(file_storage().path(stored_key(EVIDENCE_FOLDER, stored_name)))


def evidence_type_check(upload: UploadedFile, *, max_bytes: int) -> tuple[str, str]:
    """``(content type, extension)`` of an acceptable upload; ValidationError on the ``file`` field otherwise."""
    name = Path(upload.name or "").name
    extension = Path(name).suffix.lower()
    if (
        not name
        or name != (upload.name or "")
        or name.startswith(".")
        or "\x00" in name
        or len(name) > 255
    ):
        raise ValidationError({"file": _("The file name is not acceptable.")})
    if extension not in ALLOWED:
        raise ValidationError(
            {
                "file": _(
                    "This type of file is not accepted. Use PDF, images, office documents or text."
                )
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > max_bytes:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}}
        )
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    if signatures is None:
        if b"\x00" in head:
            raise ValidationError({"file": _("The file's content does not match its extension.")})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character may be cut at 512 bytes; only fail on real binary.
            if exc.start < len(head) - 4:
                raise ValidationError(
                    {"file": _("The file's content does not match its extension.")}
                ) from None
    elif not head.startswith(signatures):
        raise ValidationError({"file": _("The file's content does not match its extension.")})
    return content_type, extension
