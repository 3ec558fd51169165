"""Stored files (evidence, report PDFs, evidence packs) through Django's storage API.

Every file goes through ``storages["default"]``: the local filesystem under MEDIA_ROOT by
default, S3-compatible object storage (django-storages) in production when a bucket is
configured, so several web nodes and workers see the same files. A file's key is its folder and
its random name, for example ``evidence/3f2a…9c.pdf``; the database keeps only the name.

Example::

    name, sha256, size = stored_file_save(folder="reports", name="ab12.pdf", content=pdf_bytes)
    with stored_file_open("reports", name) as handle:
        handle.read()
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def file_storage() -> Storage:
    return storages["default"]


def stored_key(folder: str, name: str) -> str:
    """``stored_key("evidence", "ab12.pdf") == "evidence/ab12.pdf"``; a name never leaves its folder."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"not a stored file name: {name!r}")
    return f"{folder}/{name}"


class _HashingFile(File):
    """The upload as the storage reads it, hashed on the way: the SHA-256 costs no second read.

    A backend may seek back (S3 rewinds before sending); only bytes past those already hashed
    are added, so the digest is that of the content whatever the reading pattern.
    """

    def __init__(self, file: IO[bytes], name: str):
        super().__init__(file, name)
        self.digest, self.hashed = hashlib.sha256(), 0

    def read(self, *args):
        position = self.file.tell()
        data = self.file.read(*args)
        skip = self.hashed - position
        if 0 <= skip < len(data):
            self.digest.update(data[skip:])
            self.hashed = position + len(data)
        return data


def stored_file_save(*, folder: str, name: str, content: File | bytes) -> tuple[str, str, int]:
    """Write ``content`` as ``folder/name``; ``(stored name, SHA-256, size)``.

    The storage never overwrites: on a clash it picks another name, which is the one returned.
    """
    if isinstance(content, bytes):
        content = ContentFile(content)
    content.seek(0)
    source = getattr(content, "file", content)
    hashing = _HashingFile(source, name)
    key = file_storage().save(stored_key(folder, name), hashing)
    if hashing.hashed != content.size:  # the backend did not read it through in one pass
        content.seek(0)
        digest = hashlib.sha256()
        for chunk in content.chunks():
            digest.update(chunk)
        return posixpath.basename(key), digest.hexdigest(), content.size
    return posixpath.basename(key), hashing.digest.hexdigest(), content.size


def stored_file_open(folder: str, name: str) -> File:
    """The stored file opened for reading; FileNotFoundError when it is missing."""
    storage = file_storage()
    key = stored_key(folder, name)
    if not storage.exists(key):
        raise FileNotFoundError(key)
    return storage.open(key, "rb")


def stored_file_delete(folder: str, name: str) -> None:
    file_storage().delete(stored_key(folder, name))


def stored_file_names(folder: str) -> list[str]:
    """The names stored in ``folder`` (empty when it does not exist yet)."""
    try:
        return sorted(file_storage().listdir(folder)[1])
    except FileNotFoundError:
        return []


def stored_file_read(folder: str, name: str) -> bytes:
    """The whole stored file (small files: checks, tests); FileNotFoundError when it is missing."""
    with stored_file_open(folder, name) as handle:
        return handle.read()
