"""Claim documents: an upload is stored only after its type is checked by content (PDF, JPG or
PNG) and its size; it lives under PRIVATE_MEDIA_ROOT, outside anything served as static."""

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from waystation.accounts.access import NotInScope
from waystation.core.uploads import sniff_image
from waystation.privacy.audit import AuditAction, audit_record

from .. import workflow as flow
from ..models import Claim, ClaimDocument
from .common import ClaimStateError

MAX_UPLOAD_BYTES = getattr(settings, "AID_MAX_UPLOAD_BYTES", 8 * 1024 * 1024)


def _sniff(head: bytes, f: Any) -> tuple[str, str]:
    """(content_type, extension) from the content, or ValidationError."""
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    found = sniff_image(f)
    if found is None or found[0] == "gif":  # documents: photos and scans, not animations
        raise ValidationError({"file": ["只接受 JPG、PNG 图片或 PDF 文件"]})
    ext, content_type = found
    return content_type, ext


def claim_document_add(*, claim: Claim, doc_type: str, upload: Any, member: Any) -> ClaimDocument:
    """Store an uploaded document after checking its type by content and its size. Only the
    claimant (`member`) adds documents to a claim."""
    if claim.member_id != getattr(member, "pk", None):
        raise NotInScope
    by = member.member_number
    if doc_type not in ClaimDocument.DocType.values:
        raise ValidationError({"doc_type": ["请选择材料类型"]})
    if claim.status not in flow.GATHERING:
        raise ClaimStateError("该申请已审结，不能再上传材料")
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({"file": ["请选择文件"]})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": [f"文件过大（上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB），请压缩后再传"]}
        )
    upload.seek(0)
    head = upload.read(8)
    content_type, ext = _sniff(head, upload)
    upload.seek(0)
    digest = hashlib.sha256()
    name = f"aid/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"
    path = settings.PRIVATE_MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for piece in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            digest.update(piece)
            out.write(piece)
    with transaction.atomic():
        doc = ClaimDocument.objects.create(
            city_id=claim.city_id,
            claim=claim,
            doc_type=doc_type,
            stored_name=name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=by[:100],
        )
        audit_record(
            action=AuditAction.AID_DOCUMENT_ADD,
            actor_label=by,
            obj=claim,
            detail={"document": doc.pk, "type": doc_type, "size": size},
        )
    return doc


def document_path(doc: ClaimDocument) -> Path:
    return settings.PRIVATE_MEDIA_ROOT / doc.stored_name
