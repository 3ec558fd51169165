"""Stored files go through Django's storage API; production picks S3 when a bucket is set."""

import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from portal.storage import (
    file_storage,
    stored_file_delete,
    stored_file_names,
    stored_file_open,
    stored_file_read,
    stored_file_save,
    stored_key,
)
from tests.support import run_with_production_settings

CONTENT = b"%PDF-1.7 " + bytes(range(256)) * 400


def test_a_saved_file_is_read_back_through_the_storage_with_its_hash_and_size(settings):
    name, sha256, size = stored_file_save(
        folder="evidence", name="ab12.pdf", content=SimpleUploadedFile("x.pdf", CONTENT)
    )

    assert name == "ab12.pdf"
    assert (sha256, size) == (hashlib.sha256(CONTENT).hexdigest(), len(CONTENT))
    with stored_file_open("evidence", name) as handle:
        assert handle.read() == CONTENT
    assert file_storage().path("evidence/ab12.pdf").startswith(str(settings.MEDIA_ROOT))


def test_a_large_upload_spooled_to_disk_is_streamed_and_hashed_not_moved(tmp_path):
    upload = TemporaryUploadedFile("big.pdf", "application/pdf", 0, None)
    content = CONTENT * 40  # about 4 MB: past Django's in-memory upload limit
    upload.write(content)
    upload.flush()
    upload.size = len(content)

    name, sha256, size = stored_file_save(folder="evidence", name="big.pdf", content=upload)

    assert (sha256, size) == (hashlib.sha256(content).hexdigest(), len(content))
    assert stored_file_read("evidence", name) == content
    assert Path(upload.temporary_file_path()).exists()  # copied through the storage, not moved
    upload.close()


def test_a_storage_that_rewinds_and_rereads_still_gets_the_right_hash(monkeypatch):
    storage = file_storage()
    real_save = storage.save

    def rereading_save(name, content, **kwargs):
        content.read(100)
        content.seek(0)  # as S3 does before it sends the body
        content.read(50)
        content.seek(0)
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(storage, "save", rereading_save)

    _name, sha256, _size = stored_file_save(folder="reports", name="r.pdf", content=CONTENT)

    assert sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_a_storage_that_reads_out_of_order_falls_back_to_hashing_again(monkeypatch):
    storage = file_storage()
    real_save = storage.save

    def skipping_save(name, content, **kwargs):
        content.seek(10)  # never reads the first bytes through the wrapper
        content.read()
        return real_save(name, File(io.BytesIO(CONTENT)), **kwargs)

    monkeypatch.setattr(storage, "save", skipping_save)

    _name, sha256, _size = stored_file_save(folder="reports", name="s.pdf", content=CONTENT)

    assert sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_the_storage_never_overwrites_a_stored_file():
    first, *_ = stored_file_save(folder="packs", name="p.zip", content=b"one")
    second, *_ = stored_file_save(folder="packs", name="p.zip", content=b"two")

    assert first != second
    assert stored_file_names("packs") == sorted([first, second])
    with stored_file_open("packs", first) as handle:
        assert handle.read() == b"one"


def test_a_missing_file_is_file_not_found_and_delete_is_harmless():
    with pytest.raises(FileNotFoundError):
        stored_file_open("evidence", "missing.pdf")
    stored_file_delete("evidence", "missing.pdf")
    assert stored_file_names("nothing-here") == []


@pytest.mark.parametrize("name", ["", "../x.pdf", "a/b.pdf", "..", "a\\b"])
def test_a_name_cannot_leave_its_folder(name):
    with pytest.raises(ValueError, match="not a stored file name"):
        stored_key("evidence", name)


def _production_storages(**extra) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = run_with_production_settings(code, environ=keep, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_keeps_files_on_disk_without_a_bucket():
    assert _production_storages()["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_production_uses_s3_compatible_storage_when_a_bucket_is_set():
    default = _production_storages(
        AWS_STORAGE_BUCKET_NAME="tekigo",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_ACCESS_KEY_ID="tekigo",
        AWS_SECRET_ACCESS_KEY="secret",
    )

    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("tekigo", "http://minio:9000")
    assert (options["access_key"], options["secret_key"]) == ("tekigo", "secret")
    assert options["default_acl"] is None and options["file_overwrite"] is False
