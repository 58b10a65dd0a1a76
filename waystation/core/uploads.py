"""What an uploaded file really is, by its content (never by its name or declared type)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow format → (extension, content type): the images the site accepts anywhere.
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}


def _too_many_pixels(field: str) -> ValidationError:
    limit = f"{settings.UPLOAD_MAX_PIXELS // 10_000:,}"
    return ValidationError(
        {field: [_("图片尺寸过大：最多 %(limit)s 万像素，请缩小后再上传") % {"limit": limit}]}
    )


def sniff_image(upload: Any, *, field: str = "file") -> tuple[str, str] | None:
    """(extension, content type) if the upload is a whole, readable image of an accepted
    format, else None. An image of more than UPLOAD_MAX_PIXELS pixels raises ValidationError on
    `field` before any pixel is decoded: a 48 KB PNG can declare 20,000 × 20,000. Leaves the
    file at its start."""
    try:
        upload.seek(0)
        with Image.open(upload) as img:  # reads the header only
            fmt = img.format or ""
            width, height = img.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                raise _too_many_pixels(field)
            img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own limit (about 179 M pixels; the warning, if made an error, at 89 M)
        raise _too_many_pixels(field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(fmt)
