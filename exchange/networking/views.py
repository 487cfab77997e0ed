"""The inbound endpoint: ``POST /exchange/inbound/`` where an upper platform posts a 督办 or an evaluation task.

Authenticated by the peer's key with the signature of signing.py (401 when missing, wrong, stale or replayed; 403
for a disabled peer); the body is one item as JSON. Answers: 201 with the item when new, 200 with the same item
when its id was posted before (nothing new is created), 400 naming the field otherwise.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.audit import record
from core.choices import AuditAction
from exchange.networking import signing
from exchange.networking.models import Peer, SeenNonce
from exchange.networking.services import receive_item

MAX_BODY = 256 * 1024


def _error(status: int, field: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": {field: [message]}}, status=status, json_dumps_params={"ensure_ascii": False})


def _authenticate(request, body: bytes) -> tuple[Peer | None, JsonResponse | None]:
    code = request.headers.get(signing.PEER, "")
    if not code:
        return None, _error(401, "signature", "missing signature headers")
    peer = Peer.objects.filter(code=code).first()
    if peer is None:
        return None, _error(401, "signature", "unknown peer")
    try:
        _timestamp, nonce = signing.verify(
            peer.secret, request.headers, body, window=settings.EXCHANGE_SIGNATURE_WINDOW_SECONDS
        )
    except signing.BadSignature as why:
        return None, _error(401, "signature", str(why))
    if not peer.enabled:
        return None, _error(403, "peer", "this peer is disabled")
    try:
        with transaction.atomic():
            SeenNonce.objects.create(peer=peer, nonce=nonce)
    except IntegrityError:
        return None, _error(401, "signature", "nonce already used")
    return peer, None


def _peer_name(request) -> str:
    return request.headers.get(signing.PEER, "")[:40]


def _item(item, created: bool) -> dict:
    return {
        "id": item.item_id,
        "type": item.kind,
        "created": created,
        "case_no": item.case.case_no if item.case_id else None,
        "urged": item.case_event_id is not None,
        "received_at": item.received_at.isoformat(),
    }


@csrf_exempt
@require_POST
def inbound(request):
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return _error(413, "body", "at most 256 KB")
    body = request.body
    peer, refusal = _authenticate(request, body)
    if refusal is not None:  # an authentication failure of a system: in the security audit log like a login's
        reason = json.loads(refusal.content)["errors"]
        record(
            AuditAction.LOGIN_FAILED,
            request=request,
            channel="exchange.inbound",
            peer=_peer_name(request),
            errors=reason,
        )
        return refusal
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body", "not JSON")
    try:
        item, created = receive_item(peer, data)
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
        return JsonResponse({"errors": fields}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(_item(item, created), status=201 if created else 200, json_dumps_params={"ensure_ascii": False})
