"""What an uploaded file really is, by its content (never by its name or declared type)."""

from typing import Any

from PIL import Image, UnidentifiedImageError

# Pillow format → (extension, content type): the images the site accepts anywhere.
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}


def sniff_image(upload: Any) -> tuple[str, str] | None:
    """(extension, content type) if the upload is a whole, readable image of an accepted
    format, else None. Leaves the file at its start."""
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(fmt)
