"""The LINE webhook (`POST /callback`) and the health check (`GET /healthz`)."""
from __future__ import annotations

import json
import logging

from flask import Blueprint, abort, current_app, jsonify, request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from storage import get_storage, ping

bp = Blueprint("webhook", __name__)
log = logging.getLogger(__name__)


@bp.post("/callback")
def callback():
    """Verify `X-Line-Signature` with the SDK, then handle each event; 200 once the signature is valid."""
    secret = current_app.config["LINE_CHANNEL_SECRET"]
    if not secret:
        abort(503, "LINE_CHANNEL_SECRET is not set: the webhook is off (offline mode)")
    signature = request.headers.get("X-Line-Signature", "")
    body = request.get_data(as_text=True)
    try:
        events = WebhookParser(secret).parse(body, signature)
    except InvalidSignatureError:
        log.warning("webhook with a missing or wrong signature rejected")
        abort(400, "invalid signature")
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("signed webhook body is not a LINE payload: %s", exc)
        abort(400, "malformed body")
    bot = current_app.extensions["bot"]
    for event in events:
        bot.handle_event(event)
    return "OK"


@bp.get("/healthz")
def healthz():
    """200 with the database reachable, 503 otherwise."""
    try:
        ping(get_storage())
    except Exception as exc:  # any driver error means "not healthy"
        log.error("health check: database unreachable: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.errorhandler(400)
@bp.errorhandler(503)
def plain_error(err):
    return json.dumps({"error": err.description}), err.code, {"Content-Type": "application/json"}
