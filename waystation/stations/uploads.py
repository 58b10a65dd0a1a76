"""Photos (fault reports, stations): images only, checked by content, at most 5 MB, stored under
PRIVATE_MEDIA_ROOT with server-generated names and served only through views."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

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


def image_store(upload: UploadedFile, *, field: str = "photo") -> tuple[str, str]:
    """Check and store an image; returns (stored name, content type)."""
    ext, content_type = image_check(upload, field=field)
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ext}"
    with (root / name).open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return name, content_type


def image_path(name: str) -> Path:
    """The file of a stored name; refuses anything that is not a name this module made."""
    stem, _, ext = name.partition(".")
    if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem):
        raise FileNotFoundError(name)
    if ext not in {e for e, _ in FORMATS.values()}:
        raise FileNotFoundError(name)
    return _root() / name
