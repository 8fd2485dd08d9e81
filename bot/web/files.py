"""Serving a stored file to a reader the caller has checked (the chat's merchant, an agent who
may see the ticket): its sniffed type, never sniffed again, sandboxed, images inline, PDFs
as a download."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from bot.core.files import StoredFile


def file_response(record: StoredFile, data: bytes) -> Response:
    """The file's bytes with headers that keep the browser from running anything in them."""
    disposition = "inline" if record.image else "attachment"
    return Response(
        data,
        media_type=record.kind,
        headers={
            "content-disposition": f"{disposition}; filename*=UTF-8''{quote(record.name)}",
            "cache-control": "private, no-store",
            "content-security-policy": "default-src 'none'; sandbox",
            "x-content-type-options": "nosniff",
        },
    )
