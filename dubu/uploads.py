"""A DUBU file is bounded before any of it is written anywhere (issue 19).

Django's own upload handlers write a file above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) to a
temporary file as it arrives, so a file ten times the limit would reach the disk, CPR numbers
and all, before a view could look at its size. The DUBU page and API use this handler alone:

* a body whose ``Content-Length`` already says it is too large is not read at all;
* a file that grows past the limit while it streams in is dropped at the chunk that passes it
  (the rest of its part is read and thrown away, never kept);
* a file within the limit is kept in memory, never on a disk. The import reads a file whole
  anyway (``dubu.reader``), so this costs no more memory than the import itself.

Either refusal leaves ``too_large`` set; the view answers 413 (a problem under ``/api/``, the
form's error on the page).
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from dubu.reader import max_file_bytes

# Beside the file, a multipart body carries the form's few fields and each part's headers.
FORM_OVERHEAD_BYTES = 64 * 1024


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_file_bytes()
        self.too_large = False
        self.buffer: io.BytesIO | None = None

    def body_too_large(self, content_length: int | None) -> bool:
        return bool(content_length) and content_length > self.limit + FORM_OVERHEAD_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.body_too_large(content_length):
            self.too_large = True
            return QueryDict(encoding=encoding), MultiValueDict()  # parsed as empty, nothing read
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise SkipFile
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = None
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.buffer is None:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def bound_upload(request) -> BoundedUploadHandler:
    """Put the bounded handler in place of Django's for ``request`` (before its body is read)."""
    handler = BoundedUploadHandler(request)
    request.upload_handlers = [handler]
    return handler


def content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
