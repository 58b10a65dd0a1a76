"""Photos (fault reports, stations): images only, checked by content, at most 5 MB, stored under
PRIVATE_MEDIA_ROOT with server-generated names and served only through views. A station's
photos, public, are stored re-encoded: upright, at most 1600 px, without metadata."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps

from waystation.core.uploads import IMAGE_FORMATS as FORMATS
from waystation.core.uploads import sniff_image

MAX_BYTES = 5 * 1024 * 1024
SUBDIR = "stations"


def _root() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / SUBDIR


def image_check(upload: UploadedFile, *, field: str = "photo") -> tuple[str, str]:
    """(extension, content type) of an uploaded image; ValidationError if it is not one."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError({field: ["照片不能超过 5 MB (photo larger than 5 MB)"]})
    found = sniff_image(upload, field=field)
    if found is None:
        raise ValidationError({field: ["只能上传图片（JPEG、PNG、WebP、GIF）"]})
    return found


def image_store(
    upload: UploadedFile, *, field: str = "photo", public: bool = False
) -> tuple[str, str]:
    """Check and store an image; returns (stored name, content type). A `public` image (a
    station's photo, shown to anyone on a phone) is stored re-encoded (`public_image`), the
    original kept nowhere; others (a fault report's evidence, staff only) as uploaded."""
    ext, content_type = image_check(upload, field=field)
    data = None
    if public:
        data, ext, content_type = public_image(upload)
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    with (root / name).open("wb") as fh:
        if data is not None:
            fh.write(data)
        else:
            for chunk in upload.chunks():
                fh.write(chunk)
    return name, content_type


PUBLIC_MAX_SIDE = 1600  # px: sharp on a phone, about 200–400 KB as JPEG


def public_image(upload: UploadedFile) -> tuple[bytes, str, str]:
    """An image as the public pages serve it: turned upright by its EXIF orientation, at most
    PUBLIC_MAX_SIDE on its longer side, re-encoded without its metadata (a phone photo's EXIF
    holds where and when it was taken, and the device), as JPEG, or PNG where it has
    transparency. Animated images keep their first frame. (bytes, extension, content type)."""
    upload.seek(0)
    with Image.open(upload) as img:
        img.seek(0)
        frame = ImageOps.exif_transpose(img) or img
        frame.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE), Image.Resampling.LANCZOS)
        alpha = frame.mode in ("RGBA", "LA") or (frame.mode == "P" and "transparency" in frame.info)
        out = io.BytesIO()
        if alpha:
            frame.convert("RGBA").save(out, format="PNG", optimize=True)
            kind = ("png", "image/png")
        else:
            frame.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            kind = ("jpg", "image/jpeg")
    upload.seek(0)
    return out.getvalue(), *kind


def image_path(name: str) -> Path:
    """The file of a stored name; refuses anything that is not a name this module made."""
    stem, _, ext = name.partition(".")
    if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem):
        raise FileNotFoundError(name)
    if ext not in {e for e, _ in FORMATS.values()}:
        raise FileNotFoundError(name)
    return _root() / name
