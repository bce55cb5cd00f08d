"""Read a multipart upload into memory, never onto the disk.

Starlette's own form parser spools file parts larger than 1 MiB to temporary
files, which would leave health data in clear on the disk. This reader feeds
the request stream to ``python-multipart`` and keeps every part in memory,
within a total size cap (413 beyond it) and limits on parts and field sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import Request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: Largest upload accepted, all files together (bytes).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
MAX_PARTS = 200
MAX_FIELD_BYTES = 4096


@dataclass
class UploadedFile:
    name: str
    data: bytes


@dataclass
class Upload:
    """The plain fields (first value of each name) and the files of a form."""

    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)


def base_name(filename: str) -> str:
    """The file name without any folder a browser may have sent."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


class _Collector:
    """python-multipart callbacks that gather parts in memory."""

    def __init__(self) -> None:
        self.upload = Upload()
        self.parts = 0
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise HTTPException(400, "too many parts")
        self.disposition = b""
        self.data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = b""
        self.header_value = b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        self.data += data[start:end]

    def on_part_end(self) -> None:
        _, options = parse_options_header(self.disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            filename = base_name(options[b"filename"].decode("utf-8", "replace"))
            if filename or self.data:
                self.upload.files.append(UploadedFile(filename or "upload", bytes(self.data)))
        elif len(self.data) > MAX_FIELD_BYTES:
            raise HTTPException(400, "form field too large")
        else:
            self.upload.fields.setdefault(name, self.data.decode("utf-8", "replace"))
        self.data = bytearray()


async def read_upload(request: Request, max_bytes: int = MAX_UPLOAD_BYTES) -> Upload:
    """Parse a ``multipart/form-data`` body in memory; 413 beyond ``max_bytes``."""
    ctype, params = parse_options_header(request.headers.get("content-type"))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise HTTPException(400, "a multipart/form-data body is expected")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise HTTPException(413, "upload too large")
    collector = _Collector()
    received = 0
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise HTTPException(413, "upload too large")
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise HTTPException(400, "malformed multipart body") from None
    return collector.upload
