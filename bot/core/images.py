"""Image metadata stripped before anyone sees an image: the only module that imports Pillow.

The image is decoded, turned upright by its EXIF orientation, and encoded again in its own
format with nothing but the pixels (and its colour profile): EXIF (GPS, camera, times), XMP
and text chunks are gone. A file that does not decode is refused (``ImageError``).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.core.files import JPEG, PNG, WEBP, ImageError

MAX_PIXELS = 50_000_000  # larger images are refused (a decompression bomb, or no photo)
FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The image encoded again without its metadata; ``ImageError`` when it does not decode."""
    fmt = FORMATS.get(kind)
    if fmt is None:
        return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ImageError("too many pixels")
                opened.load()
                image = ImageOps.exif_transpose(opened)
                icc = opened.info.get("icc_profile")
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ImageError(str(exc)) from None
    if fmt == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if isinstance(icc, bytes) else {}
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = 90
    image.save(out, format=fmt, exif=b"", **options)
    return out.getvalue()
