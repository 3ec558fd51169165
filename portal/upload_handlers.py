"""Upload handlers: an upload larger than the limit is refused while it streams in.

Django writes an upload to memory or a temporary file before a view can look at its size; without
this handler a 500 MB body would land on disk before the 20 MB check in the form refused it.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

from portal.middleware import request_body_limit


class UploadTooLarge(RequestDataTooBig):
    """An upload went past the limit; Django answers 400 and the rest is never stored."""


class SizeLimitUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: counts every file's bytes as they arrive and stops the
    request once one passes ``EVIDENCE_MAX_BYTES`` plus ``UPLOAD_MARGIN_BYTES``. The handlers after
    it (memory, temporary file) never receive a chunk beyond that.

    Example: with a 20 MiB limit, a 500 MiB upload stops after about 21 MiB; the form still gives
    its own friendly message for a file of 20-21 MiB.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: N803 - Django's signature
        if content_length and content_length > request_body_limit():
            raise UploadTooLarge("The request body is larger than the upload limit.")
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > request_body_limit():
            raise UploadTooLarge("An uploaded file is larger than the upload limit.")
        return raw_data

    def file_complete(self, file_size):
        return None
