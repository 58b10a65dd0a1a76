"""What staff and member views write again and again, written once: errors said with
django.contrib.messages, pages of a list whose links keep the list's filters, and files sent
with a name a browser saves as given, Chinese included.

- `flash_errors(request, exc_or_form)`: every message of a ValidationError or of an invalid
  form, in one error message, joined with "；" (the page redirects and shows it on top).
- `paginate(request, rows, per_page)`: the page asked for (`?page=`, a bad one gives the last or
  the first) and the current query string without `page`, for the pager include
  `core/pager.html` (`{% include "core/pager.html" %}` with `page` and `params` in the context).
- `attachment(content, filename, content_type)` / `content_disposition(filename)`: the
  Content-Disposition of RFC 6266 with an ASCII `filename` for old clients and, for any other
  name, `filename*=UTF-8''…` (RFC 5987) that every current browser prefers. Django's own
  `content_disposition_header` (used by FileResponse) gives only `filename*` for such a name.
"""

import re
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.http import content_disposition_header

SEPARATOR = "；"


def error_text(source: ValidationError | forms.BaseForm) -> str:
    """Every message of a ValidationError or of a bound, invalid form, in one line (field
    errors in field order, then the form's own), each once."""
    if isinstance(source, ValidationError):
        found = [str(m) for m in source.messages]
    else:
        found = [str(m) for msgs in source.errors.values() for m in msgs]
    return SEPARATOR.join(dict.fromkeys(found))  # each message once


def flash_errors(request: HttpRequest, source: ValidationError | forms.BaseForm) -> None:
    """Say what was wrong on the page the view redirects to."""
    messages.error(request, error_text(source))


def filter_params(request: HttpRequest) -> QueryDict:
    """The current query string's filters: a mutable copy of GET without `page`."""
    params = request.GET.copy()
    params.pop("page", None)
    return params


def paginate(request: HttpRequest, rows: QuerySet | list[Any], per_page: int) -> tuple[Page, str]:
    """The page of `rows` that `?page=` asks for, and the filters to keep in the pager's links
    (the query string without `page`, urlencoded)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return page, filter_params(request).urlencode()


_UNQUOTABLE = re.compile(r'[^\x20-\x7e]|["\\]')


def _ascii_fallback(filename: str) -> str:
    """The name for clients without RFC 5987: what is printable ASCII of it, or "download"
    with its extension when nothing else is left ("会员名册.xlsx" → "download.xlsx")."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = _UNQUOTABLE.sub("", stem).strip(" -_.")
    ext = _UNQUOTABLE.sub("", ext)
    return (stem or "download") + (f".{ext}" if ext else "")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="members.xlsx"`, or for any other name both forms:
    `attachment; filename="download.xlsx"; filename*=UTF-8''%E4%BC%9A%E5%91%98.xlsx`."""
    if not _UNQUOTABLE.search(filename):
        return content_disposition_header(not inline, filename) or ""
    kind = "inline" if inline else "attachment"
    fallback = _ascii_fallback(filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(
    content: bytes | str,
    filename: str,
    content_type: str,
    *,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A response that the browser saves as `filename` (or shows, `inline=True`)."""
    resp = HttpResponse(content, content_type=content_type, headers=headers)
    resp["Content-Disposition"] = content_disposition(filename, inline=inline)
    return resp
