"""A fake LINE Messaging API on loopback, for tests.

`FakeLine` runs a real HTTP server (werkzeug, threaded, on ``127.0.0.1`` and a free port) that answers
the Messaging API endpoints a bot uses, so the bot's real SDK client (`linebot.v3.messaging.ApiClient`
with ``Configuration(host=fake.url, access_token=...)``) talks HTTP to it exactly as it would to
``https://api.line.me``::

    with FakeLine(access_token="t") as fake:
        with ApiClient(fake.configuration()) as client:
            MessagingApi(client).push_message(PushMessageRequest(to=USER, messages=[TextMessage(text="hi")]))
        assert fake.texts() == ["hi"]
        fake.assert_all_valid()

Every request is checked the way LINE checks it (bearer token, JSON body parsed by the SDK's own
request models, LINE's documented limits, unknown properties, ``X-Line-Retry-Key``), answered with
LINE-shaped bodies and an ``x-line-request-id`` header, and recorded. Requests LINE would reject as
malformed are answered with LINE's 400/401/404/415 and also collected in `FakeLine.invalid`, so a test
can end with `FakeLine.assert_all_valid`. Failures (expired reply token, 429, 500…) can be queued with
`FakeLine.fail_next`.

Limits are LINE's documented ones, checked approximately: text lengths in UTF-16 code units (as LINE
counts them), action and template texts in grapheme clusters (approximated without the ``regex``
package, good for Thai and emoji), Flex sizes as compact UTF-8 JSON.

Rich menus: create (the body checked with the SDK's `RichMenuRequest` and LINE's limits), get, list,
delete, the image upload on the content host, the default menu, per-user and bulk link/unlink, aliases
(create, update, delete, list). LINE serves content from another host (``api-data.line.me``); the
fake does too: `FakeLine.data_url` is a second port with only the content endpoints (`DATA_ENDPOINTS`),
and each host answers 404 for the other's paths, as LINE does. The state is in `rich_menus`,
`rich_menu_images`, `rich_menu_aliases`, `default_rich_menu` and `user_rich_menus`.

Message content (photos and files users sent): `message_contents` (message id -> (content type,
bytes)) is served on the content host at ``GET /v2/bot/message/{messageId}/content``; an unknown id is
a 404, as on LINE once content has expired.

Not modelled: rate limits, reply-token expiry by time, message delivery to real users, content
transcoding and previews, rich menu batch operations, audiences, insights.
"""
from __future__ import annotations

import functools
import io
import json
import random
import re
import secrets
import socket
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from werkzeug.datastructures import Headers
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from PIL import Image, UnidentifiedImageError
from linebot.v3.messaging import (Action, BroadcastRequest, Configuration, CreateRichMenuAliasRequest, Message,
                                  MulticastRequest, NarrowcastRequest, PushMessageRequest, ReplyMessageRequest,
                                  RichMenuBulkLinkRequest, RichMenuBulkUnlinkRequest, RichMenuRequest,
                                  UpdateRichMenuAliasRequest)

__all__ = ["FakeLine", "Recorded", "ENDPOINTS", "unknown_keys", "utf16_len", "grapheme_len",
           "validate_send_body", "BOT_USER_ID"]

BOT_USER_ID = "U" + "0" * 32
"""The fake bot's own user ID (``/v2/bot/info``); the same value as `tests.line_events.DESTINATION`."""

# (method, path template as in LINE's OpenAPI spec, endpoint name)
ENDPOINTS: tuple[tuple[str, str, str], ...] = (
    ("POST", "/v2/bot/message/reply", "reply"),
    ("POST", "/v2/bot/message/push", "push"),
    ("POST", "/v2/bot/message/multicast", "multicast"),
    ("POST", "/v2/bot/message/broadcast", "broadcast"),
    ("POST", "/v2/bot/message/narrowcast", "narrowcast"),
    ("GET", "/v2/bot/profile/{userId}", "profile"),
    ("GET", "/v2/bot/group/{groupId}/summary", "group_summary"),
    ("GET", "/v2/bot/group/{groupId}/members/count", "group_members_count"),
    ("GET", "/v2/bot/group/{groupId}/member/{userId}", "group_member_profile"),
    ("POST", "/v2/bot/group/{groupId}/leave", "leave_group"),
    ("GET", "/v2/bot/room/{roomId}/members/count", "room_members_count"),
    ("GET", "/v2/bot/room/{roomId}/member/{userId}", "room_member_profile"),
    ("POST", "/v2/bot/room/{roomId}/leave", "leave_room"),
    ("GET", "/v2/bot/message/quota", "quota"),
    ("GET", "/v2/bot/message/quota/consumption", "quota_consumption"),
    ("GET", "/v2/bot/info", "bot_info"),
    ("POST", "/v2/bot/chat/loading/start", "loading"),
    # rich menus (a path with a fixed segment comes before the template it would also match)
    ("POST", "/v2/bot/richmenu", "create_rich_menu"),
    ("GET", "/v2/bot/richmenu/list", "rich_menu_list"),
    ("GET", "/v2/bot/richmenu/alias/list", "rich_menu_alias_list"),
    ("POST", "/v2/bot/richmenu/alias", "create_rich_menu_alias"),
    ("POST", "/v2/bot/richmenu/alias/{richMenuAliasId}", "update_rich_menu_alias"),
    ("DELETE", "/v2/bot/richmenu/alias/{richMenuAliasId}", "delete_rich_menu_alias"),
    ("POST", "/v2/bot/richmenu/bulk/link", "link_rich_menu_bulk"),
    ("POST", "/v2/bot/richmenu/bulk/unlink", "unlink_rich_menu_bulk"),
    ("GET", "/v2/bot/richmenu/{richMenuId}", "get_rich_menu"),
    ("DELETE", "/v2/bot/richmenu/{richMenuId}", "delete_rich_menu"),
    ("POST", "/v2/bot/user/all/richmenu/{richMenuId}", "set_default_rich_menu"),
    ("GET", "/v2/bot/user/all/richmenu", "get_default_rich_menu"),
    ("DELETE", "/v2/bot/user/all/richmenu", "cancel_default_rich_menu"),
    ("POST", "/v2/bot/user/{userId}/richmenu/{richMenuId}", "link_rich_menu"),
    ("GET", "/v2/bot/user/{userId}/richmenu", "get_user_rich_menu"),
    ("DELETE", "/v2/bot/user/{userId}/richmenu", "unlink_rich_menu"),
)
"""The endpoints the fake answers on `FakeLine.url` (``api.line.me``): ``(method, path template,
name)``; names work in `FakeLine.fail_next`."""

DATA_ENDPOINTS: tuple[tuple[str, str, str], ...] = (
    ("POST", "/v2/bot/richmenu/{richMenuId}/content", "set_rich_menu_image"),
    ("GET", "/v2/bot/richmenu/{richMenuId}/content", "get_rich_menu_image"),
    ("GET", "/v2/bot/message/{messageId}/content", "message_content"),
)
"""The endpoints the fake answers on `FakeLine.data_url` (``api-data.line.me``)."""

SEND_ENDPOINTS = ("reply", "push", "multicast", "broadcast", "narrowcast")
RICH_MENU_ENDPOINTS = tuple(name for _m, path, name in ENDPOINTS + DATA_ENDPOINTS if "richmenu" in path)
RETRY_KEY_ENDPOINTS = ("push", "multicast", "broadcast", "narrowcast")  # LINE: other APIs reject the header
RICH_MENU_JSON_ENDPOINTS = ("create_rich_menu", "create_rich_menu_alias", "update_rich_menu_alias",
                            "link_rich_menu_bulk", "unlink_rich_menu_bulk")
JSON_BODY_ENDPOINTS = SEND_ENDPOINTS + ("loading",) + RICH_MENU_JSON_ENDPOINTS
REQUEST_MODELS = {"reply": ReplyMessageRequest, "push": PushMessageRequest, "multicast": MulticastRequest,
                  "broadcast": BroadcastRequest, "narrowcast": NarrowcastRequest}
QUOTABLE_TYPES = ("text", "textV2", "sticker", "image", "video", "audio", "location")

def _routes(endpoints: tuple[tuple[str, str, str], ...]) -> list[tuple[str, re.Pattern[str], str]]:
    return [(method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"), name)
            for method, template, name in endpoints]


_ROUTES = _routes(ENDPOINTS)
_DATA_ROUTES = _routes(DATA_ENDPOINTS)
_ALIAS_ID = re.compile(r"^[a-z0-9_-]{1,32}$")
RICH_MENU_IMAGE_MAX = 1024 * 1024  # bytes
RICH_MENU_IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
MAX_RICH_MENU_AREAS = 20
MAX_CHAT_BAR_TEXT = 14
MAX_BULK_USERS = 500
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
_CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")

AUTH_FAILED = ("Authentication failed. Confirm that the access token in the authorization header is valid.")
DEFAULT_MESSAGES = {400: "The request body has 1 error(s)", 401: AUTH_FAILED,
                    403: "Access to this API is not available for your account", 404: "Not found",
                    409: "The retry key is already accepted", 413: "Request Entity Too Large",
                    415: "The content type is not supported", 429: "Too Many Requests",
                    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                    504: "Gateway Timeout"}

# LINE's documented limits (https://developers.line.biz/en/reference/messaging-api/)
MAX_MESSAGES = 5
MAX_TEXT = 5000                # text message, UTF-16 code units
MAX_ALT_TEXT = 1500
MAX_QUICK_REPLY_ITEMS = 13
MAX_LABEL = 20                 # quick reply buttons and templates
MAX_FLEX_LABEL = 40            # Flex Message buttons
MAX_IMAGE_CAROUSEL_LABEL = 12
MAX_POSTBACK_DATA = 300
MAX_ACTION_TEXT = 300          # message action text, postback displayText / fillInText
MAX_URI = 1000
MAX_URL = 2000                 # image / video / icon URLs (HTTPS only)
MAX_FLEX_CAROUSEL_BUBBLES = 12
MAX_FLEX_BUBBLE_BYTES = 30 * 1024
MAX_FLEX_CAROUSEL_BYTES = 50 * 1024
MAX_TEMPLATE_COLUMNS = 10
MAX_MULTICAST_TO = 500
MAX_BODY_BYTES = 2 * 1024 * 1024
URL_KEYS = ("originalContentUrl", "previewImageUrl", "thumbnailImageUrl", "iconUrl", "imageUrl", "baseUrl",
            "previewUrl")


@dataclass(frozen=True)
class Recorded:
    """One request the fake received, with the status it answered.

    `json` is the parsed JSON body (None for GETs and unparsable bodies, see `raw`); `headers` is
    case-insensitive; `delivered` is True when LINE would have sent the messages (2xx, or a failure
    injected with ``accept=True``); `errors` holds the LINE-style ``details`` of a rejected request.
    """

    method: str
    path: str
    headers: Headers
    json: Any
    status: int
    endpoint: str | None = None
    request_id: str = ""
    response: Any = None
    errors: tuple[dict[str, str], ...] = ()
    delivered: bool = False
    injected: bool = False
    raw: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        """A request header, looked up case-insensitively."""
        return self.headers.get(name, default)


@dataclass
class _Failure:
    target: str
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int
    accept: bool

    def matches(self, endpoint: str | None, path: str) -> bool:
        t = self.target
        return t == endpoint or path == t or path.endswith(t if t.startswith("/") else "/" + t)


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, quiet, and tracking its socket so `FakeLine.stop` can end it."""

    def setup(self) -> None:
        super().setup()
        tracker = getattr(self.server, "fake_line_connections", None)
        if tracker is not None:
            tracker.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            tracker = getattr(self.server, "fake_line_connections", None)
            if tracker is not None:
                tracker.discard(self.connection)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:  # no access log in test output
        pass

    def version_string(self) -> str:  # the ``Server`` header: LINE's front end says "legy"
        return "legy"


class _ConnectionSet:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: set[socket.socket] = set()

    def add(self, conn: socket.socket) -> None:
        with self._lock:
            self._items.add(conn)

    def discard(self, conn: socket.socket) -> None:
        with self._lock:
            self._items.discard(conn)

    def snapshot(self) -> list[socket.socket]:
        with self._lock:
            return list(self._items)


def _default_bot_info() -> dict[str, Any]:
    return {"userId": BOT_USER_ID, "basicId": "@000fake", "displayName": "Fake Bot",
            "chatMode": "bot", "markAsReadMode": "auto"}


class FakeLine:
    """A fake LINE Messaging API server on loopback (see the module docstring).

    Configure it through its attributes: `profiles` (user ID -> ``{"displayName", "pictureUrl",
    "language", ...}``), `groups` (group ID -> ``{"groupName", "count", "pictureUrl"?, "members"?}``),
    `rooms` (room ID -> ``{"count", "members"?}``), `quota` (monthly limit; None means unlimited),
    `friend_count` (what a broadcast or narrowcast costs), `bot_info`. `strict_ids` makes pushes and
    multicasts to IDs that are not LINE-shaped (``U``/``C``/``R`` + 32 hex) a 400, as on LINE.

    Thread-safe: requests are handled one at a time under a lock; the read helpers return copies.
    """

    def __init__(self, access_token: str = "test-channel-access-token", *, strict_ids: bool = True,
                 quota: int | None = 1000, host: str = "127.0.0.1", port: int = 0) -> None:
        self.access_token = access_token
        self.strict_ids = strict_ids
        self.host = host
        self.port = port
        self.url: str | None = None
        self.data_url: str | None = None
        self._default_quota = quota
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._data_server: Any = None
        self._data_thread: threading.Thread | None = None
        self._init_config()
        self._init_state()

    # ------------------------------------------------------------------ lifecycle

    def _serve(self, port: int, app: Callable) -> tuple[Any, threading.Thread]:
        server = make_server(self.host, port, app, threaded=True, request_handler=_Handler)
        server.fake_line_connections = _ConnectionSet()
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                  name=f"FakeLine:{server.server_port}", daemon=True)
        thread.start()
        return server, thread

    def start(self) -> FakeLine:
        """Start serving (idempotent); returns self. `url` (``api.line.me``) and `data_url`
        (``api-data.line.me``, on the next free port) are set once started."""
        if self._server is not None:
            return self
        self._server, self._thread = self._serve(self.port, self._wsgi)
        self._data_server, self._data_thread = self._serve(0, self._wsgi_data)
        self.url = f"http://{self.host}:{self._server.server_port}"
        self.data_url = f"http://{self.host}:{self._data_server.server_port}"
        return self

    def stop(self) -> None:
        """Stop serving, close the listening sockets and any open connection, and clear `url` and
        `data_url` (idempotent)."""
        data_server, data_thread = self._data_server, self._data_thread
        self._data_server = self._data_thread = None
        self.data_url = None
        if data_server is not None:
            self._shutdown(data_server, data_thread)
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        self.url = None
        self._shutdown(server, thread)

    @staticmethod
    def _shutdown(server: Any, thread: threading.Thread | None) -> None:
        server.shutdown()
        for conn in server.fake_line_connections.snapshot():
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeLine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def configuration(self, access_token: str | None = None) -> Configuration:
        """An SDK `Configuration` pointing at this fake (with its token unless `access_token` is given)."""
        if self.url is None:
            raise RuntimeError("FakeLine is not started")
        return Configuration(host=self.url, access_token=access_token or self.access_token)

    # ------------------------------------------------------------------ state

    def _init_config(self) -> None:
        self.profiles: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.rooms: dict[str, dict[str, Any]] = {}
        self.quota: int | None = self._default_quota
        self.friend_count = 0
        self.bot_info: dict[str, Any] = _default_bot_info()

    def _init_state(self) -> None:
        self._requests: list[Recorded] = []
        self._invalid: list[Recorded] = []
        self._failures: list[_Failure] = []
        self._accepted_retry_keys: dict[str, tuple[str, Any]] = {}  # key -> (request id, response body)
        self._used_reply_tokens: set[str] = set()
        self.usage = 0
        self.rich_menus: dict[str, dict[str, Any]] = {}  # id -> the create body plus richMenuId
        self.rich_menu_images: dict[str, tuple[str, bytes]] = {}  # id -> (content type, bytes)
        self.rich_menu_aliases: dict[str, str] = {}  # alias id -> rich menu id
        self.default_rich_menu: str | None = None
        self.user_rich_menus: dict[str, str] = {}  # user id -> rich menu id linked to them
        self.message_contents: dict[str, tuple[str, bytes]] = {}  # message id -> (content type, bytes) users sent

    def reset(self, *, keep_config: bool = False) -> None:
        """Forget recorded requests, queued failures, accepted retry keys, used reply tokens, usage and
        every rich menu;
        also restore `profiles`, `groups`, `rooms`, `quota`, `friend_count`, `bot_info` unless `keep_config`."""
        with self._lock:
            self._init_state()
            if not keep_config:
                self._init_config()

    @property
    def requests(self) -> list[Recorded]:
        """Every request received, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def invalid(self) -> list[Recorded]:
        """The requests LINE would reject as malformed (bad body, token, path, header), in order."""
        with self._lock:
            return list(self._invalid)

    def assert_all_valid(self) -> None:
        """Raise AssertionError describing every invalid request received so far, if any."""
        bad = self.invalid
        if not bad:
            return
        lines = [f"{len(bad)} invalid request(s) to the fake LINE API:"]
        for r in bad:
            message = r.response.get("message") if isinstance(r.response, dict) else r.response
            lines.append(f"* {r.method} {r.path} -> {r.status}: {message}")
            for d in r.errors:
                lines.append(f"    - {d.get('property', '')}: {d.get('message', '')}")
            body = r.raw.decode("utf-8", "replace")
            if body:
                lines.append("    body: " + (body if len(body) <= 600 else body[:600] + "…"))
        raise AssertionError("\n".join(lines))

    def wait_for_requests(self, count: int, timeout: float = 2.0) -> list[Recorded]:
        """Block until at least `count` requests were received (for bots that call LINE from another
        thread); returns them, or raises AssertionError after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._requests) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} request(s) to the fake LINE API, got "
                                     f"{len(self._requests)} within {timeout}s")
            return list(self._requests)

    def calls(self, endpoint: str, *, delivered_only: bool = True) -> list[Recorded]:
        """Recorded requests to `endpoint` (a name from `ENDPOINTS`); for a sending endpoint (`SEND_ENDPOINTS`),
        by default only those LINE would have delivered. Reads (content, profiles, counts) are all returned:
        they deliver nothing, so filtering them would hide every call."""
        keep_all = not delivered_only or endpoint not in SEND_ENDPOINTS
        return [r for r in self.requests if r.endpoint == endpoint and (keep_all or r.delivered)]

    def replies(self) -> list[dict[str, Any]]:
        """Bodies of the reply requests LINE accepted."""
        return [r.json for r in self.calls("reply")]

    def pushes(self) -> list[dict[str, Any]]:
        """Bodies of the push requests LINE accepted."""
        return [r.json for r in self.calls("push")]

    def multicasts(self) -> list[dict[str, Any]]:
        """Bodies of the multicast requests LINE accepted."""
        return [r.json for r in self.calls("multicast")]

    def broadcasts(self) -> list[dict[str, Any]]:
        """Bodies of the broadcast requests LINE accepted."""
        return [r.json for r in self.calls("broadcast")]

    def narrowcasts(self) -> list[dict[str, Any]]:
        """Bodies of the narrowcast requests LINE accepted."""
        return [r.json for r in self.calls("narrowcast")]

    def messages(self) -> list[dict[str, Any]]:
        """Every message object of every accepted reply/push/multicast/broadcast/narrowcast, in order."""
        return [m for r in self.requests if r.delivered and r.endpoint in SEND_ENDPOINTS
                for m in r.json.get("messages", [])]

    def texts(self) -> list[str]:
        """What was sent, flattened in order: each text message's ``text`` and each Flex (also
        template and imagemap) message's ``altText``."""
        out = []
        for m in self.messages():
            if m.get("type") in ("text", "textV2"):
                out.append(m.get("text", ""))
            elif "altText" in m:
                out.append(m["altText"])
        return out

    def fail_next(self, target: str, status: int, body: Any = None, headers: Mapping[str, str] | None = None,
                  times: int = 1, *, retry_after: int | None = None, accept: bool = False) -> None:
        """Answer the next `times` matching requests with `status` and `body` instead of normally.

        `target` is an endpoint name from `ENDPOINTS` (``"reply"``, ``"push"``, ``"profile"``…) or a path
        or path suffix (``"/v2/bot/message/push"``, ``"message/push"``). `body` defaults to LINE's message
        for the status (``{"message": "Invalid reply token"}`` for a 400 to reply). `retry_after` adds a
        ``Retry-After`` header. With `accept`, the request is still carried out (messages delivered, retry
        key accepted, usage counted) and only the answer fails, like LINE's "5xx but delivered" case.
        Requests the fake rejects as invalid do not use up a queued failure.
        """
        if body is None:
            body = {"message": "Invalid reply token"} if (status == 400 and target in (
                "reply", "/v2/bot/message/reply", "message/reply")) else {
                "message": DEFAULT_MESSAGES.get(status, "Error")}
        hdrs = dict(headers or {})
        if retry_after is not None:
            hdrs["Retry-After"] = str(retry_after)
        with self._lock:
            self._failures.append(_Failure(target, status, body, hdrs, times, accept))

    # ------------------------------------------------------------------ HTTP

    def _wsgi_data(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        return self._wsgi(environ, start_response, _DATA_ROUTES)

    def _wsgi(self, environ: dict, start_response: Callable, routes: list | None = None) -> Iterable[bytes]:
        request = Request(environ)
        raw = request.get_data(cache=True)  # read the body before taking the lock
        rid = str(uuid.uuid4())
        with self._lock:
            try:
                response = self._handle(request, raw, rid, _ROUTES if routes is None else routes)
            except Exception as exc:  # a bug in the fake: answer 500, and make the test fail
                body = {"message": f"fake LINE server error: {exc!r}"}
                self._record(request, raw, None, None, 500, rid, body, errors=({"message": repr(exc)},),
                             invalid=True)
                response = self._response(500, body, rid)
            self._changed.notify_all()
        return response(environ, start_response)

    @staticmethod
    def _response(status: int, body: Any, rid: str, headers: Mapping[str, str] | None = None) -> Response:
        resp = Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status,
                        content_type="application/json")
        resp.headers["x-line-request-id"] = rid  # LINE sends lower-case names (HTTP/2)
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        # (werkzeug sends "Connection: close" on every response: no keep-alive, so no idle sockets linger
        # in the SDK's urllib3 pool, which `ApiClient.close()` does not close)
        return resp

    def _record(self, request: Request, raw: bytes, parsed: Any, endpoint: str | None, status: int, rid: str,
                response: Any, *, errors: Iterable[dict[str, str]] = (), invalid: bool = False,
                delivered: bool = False, injected: bool = False) -> None:
        rec = Recorded(method=request.method, path=request.path, headers=Headers(list(request.headers.items())),
                       json=parsed, status=status, endpoint=endpoint, request_id=rid, response=response,
                       errors=tuple(errors), delivered=delivered, injected=injected, raw=raw)
        self._requests.append(rec)
        if invalid:
            self._invalid.append(rec)

    def _handle(self, request: Request, raw: bytes, rid: str, routes: list) -> Response:
        method, path = request.method, request.path
        endpoint, params, other_methods = None, {}, False
        for m, pattern, name in routes:
            match = pattern.match(path)
            if match:
                if m == method:
                    endpoint, params = name, match.groupdict()
                    break
                other_methods = True

        def reject(status: int, message: str, details: list[dict[str, str]] | None = None,
                   parsed: Any = None, headers: Mapping[str, str] | None = None) -> Response:
            body: dict[str, Any] = {"message": message}
            if details:
                body["details"] = details
            self._record(request, raw, parsed, endpoint, status, rid, body, errors=details or (), invalid=True)
            return self._response(status, body, rid, headers)

        if endpoint is None:
            if other_methods:
                return reject(405, "Method Not Allowed")
            return reject(404, "Not found")
        if request.headers.get("Authorization", "") != f"Bearer {self.access_token}":
            return reject(401, AUTH_FAILED)
        retry_key = request.headers.get("X-Line-Retry-Key")
        if retry_key is not None:
            if endpoint not in RETRY_KEY_ENDPOINTS:
                return reject(400, "X-Line-Retry-Key is not supported by this API",
                              [{"message": "not supported", "property": "X-Line-Retry-Key"}])
            if not _UUID.match(retry_key):
                return reject(400, "The value for the 'X-Line-Retry-Key' header is invalid",
                              [{"message": "must be a UUID", "property": "X-Line-Retry-Key"}])

        parsed: Any = None
        if endpoint in JSON_BODY_ENDPOINTS:
            if len(raw) > MAX_BODY_BYTES:
                return reject(413, "Request Entity Too Large")
            ctype = request.headers.get("Content-Type", "")
            if not ctype.lower().startswith("application/json"):
                return reject(415, f"The content type, {ctype or '(none)'}, is not supported")
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                return reject(400, "The request body could not be parsed as JSON (not UTF-8)")
            except json.JSONDecodeError as exc:
                return reject(400, f"The request body could not be parsed as JSON "
                                   f"(line: {exc.lineno}, column: {exc.colno})")
            details = (validate_send_body(endpoint, parsed, strict_ids=self.strict_ids)
                       if endpoint in SEND_ENDPOINTS else
                       validate_rich_menu_body(endpoint, parsed, strict_ids=self.strict_ids)
                       if endpoint in RICH_MENU_JSON_ENDPOINTS else self._validate_loading(parsed))
            if details:
                return reject(400, f"The request body has {len(details)} error(s)", details, parsed)
            if endpoint == "reply" and parsed["replyToken"] in self._used_reply_tokens:
                return reject(400, "Invalid reply token", parsed=parsed)
        if endpoint == "set_rich_menu_image":
            problem = self._check_rich_menu_image(request, raw, params["richMenuId"])
            if problem:
                return reject(*problem)

        # a queued failure?
        for failure in self._failures:
            if failure.matches(endpoint, path):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                delivered = False
                if failure.accept and endpoint in SEND_ENDPOINTS:
                    self._deliver(endpoint, parsed, retry_key, rid)
                    delivered = True
                self._record(request, raw, parsed, endpoint, failure.status, rid, failure.body,
                             delivered=delivered, injected=True)
                return self._response(failure.status, failure.body, rid, failure.headers)

        if endpoint in SEND_ENDPOINTS:
            if retry_key is not None and retry_key in self._accepted_retry_keys:
                accepted_id, accepted_body = self._accepted_retry_keys[retry_key]
                body = {"message": "The retry key is already accepted"}
                if isinstance(accepted_body, dict) and accepted_body.get("sentMessages"):
                    body["sentMessages"] = accepted_body["sentMessages"]
                self._record(request, raw, parsed, endpoint, 409, rid, body)
                return self._response(409, body, rid, {"x-line-accepted-request-id": accepted_id})
            cost = self._cost(endpoint, parsed)
            if self.quota is not None and cost and self.usage + cost > self.quota:
                body = {"message": "You have reached your monthly limit."}
                self._record(request, raw, parsed, endpoint, 429, rid, body)
                return self._response(429, body, rid)
            status, body = self._deliver(endpoint, parsed, retry_key, rid)
            self._record(request, raw, parsed, endpoint, status, rid, body, delivered=True)
            return self._response(status, body, rid)

        if endpoint == "message_content":  # what a user sent (`message_contents`); 404 once LINE dropped it
            found = self.message_contents.get(params["messageId"])
            if found is None:
                self._record(request, raw, None, endpoint, 404, rid, {"message": "Not found"})
                return self._response(404, {"message": "Not found"}, rid)
            self._record(request, raw, None, endpoint, 200, rid, {"bytes": len(found[1])})
            resp = Response(found[1], status=200, content_type=found[0])
            resp.headers["x-line-request-id"] = rid
            return resp
        if endpoint in RICH_MENU_ENDPOINTS:
            status, body = self._rich_menu(endpoint, params, parsed, raw, request)
            self._record(request, raw, parsed, endpoint, status, rid, body, invalid=status >= 400,
                         errors=body.get("details", ()) if status >= 400 else ())
            return self._response(status, body, rid)
        status, body = self._answer(endpoint, params)
        self._record(request, raw, parsed, endpoint, status, rid, body)
        return self._response(status, body, rid)

    # ------------------------------------------------------------------ rich menus

    def _check_rich_menu_image(self, request: Request, raw: bytes, rich_menu_id: str) -> tuple | None:
        """(status, message) LINE would answer an image upload with, or None when it accepts it."""
        ctype = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in RICH_MENU_IMAGE_TYPES:
            return 415, f"The content type, {ctype or '(none)'}, is not supported (image/png or image/jpeg)"
        if len(raw) > RICH_MENU_IMAGE_MAX:
            return 413, f"The image is {len(raw)} bytes; at most {RICH_MENU_IMAGE_MAX}"
        menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            return 404, "Not found"
        if rich_menu_id in self.rich_menu_images:
            return 400, "An image has already been uploaded to the richmenu"
        try:
            image = Image.open(io.BytesIO(raw))
            image.load()
        except (UnidentifiedImageError, OSError) as exc:
            return 400, f"The image cannot be read: {exc}"
        if image.format != RICH_MENU_IMAGE_TYPES[ctype]:
            return 400, f"The image is {image.format}, not {ctype}"
        want = (menu["size"]["width"], menu["size"]["height"])
        if image.size != want:
            return 400, f"Image size {image.size[0]}x{image.size[1]} does not match the rich menu's {want[0]}x{want[1]}"
        return None

    def _rich_menu(self, endpoint: str, params: dict[str, str], body: Any, raw: bytes,
                   request: Request) -> tuple[int, dict[str, Any]]:
        def fail(status: int, message: str, prop: str = "") -> tuple[int, dict[str, Any]]:
            out: dict[str, Any] = {"message": message}
            if prop:
                out["details"] = [{"message": message, "property": prop}]
            return status, out

        def ready(rich_menu_id: str) -> tuple[int, dict[str, Any]] | None:
            if rich_menu_id not in self.rich_menus:
                return fail(404 if endpoint != "link_rich_menu_bulk" else 400, "richmenu not found")
            if rich_menu_id not in self.rich_menu_images:
                return fail(400, "must upload richmenu image before applying it to user")
            return None

        def user_ok(user_id: str) -> bool:
            return not self.strict_ids or bool(_USER_ID.match(user_id))

        rid_param = params.get("richMenuId", "")
        if endpoint == "create_rich_menu":
            rich_menu_id = f"richmenu-{secrets.token_hex(16)}"
            self.rich_menus[rich_menu_id] = {**body, "richMenuId": rich_menu_id}
            return 200, {"richMenuId": rich_menu_id}
        if endpoint == "get_rich_menu":
            menu = self.rich_menus.get(rid_param)
            return (200, dict(menu)) if menu else fail(404, "Not found")
        if endpoint == "rich_menu_list":
            return 200, {"richmenus": [dict(m) for m in self.rich_menus.values()]}
        if endpoint == "delete_rich_menu":
            if self.rich_menus.pop(rid_param, None) is None:
                return fail(404, "Not found")
            self.rich_menu_images.pop(rid_param, None)
            self.user_rich_menus = {u: m for u, m in self.user_rich_menus.items() if m != rid_param}
            if self.default_rich_menu == rid_param:
                self.default_rich_menu = None
            return 200, {}
        if endpoint == "set_rich_menu_image":
            self.rich_menu_images[rid_param] = (request.headers["Content-Type"].split(";")[0].strip().lower(), raw)
            return 200, {}
        if endpoint == "get_rich_menu_image":
            return (200, {}) if rid_param in self.rich_menu_images else fail(404, "Not found")
        if endpoint == "set_default_rich_menu":
            problem = ready(rid_param)
            if problem:
                return problem
            self.default_rich_menu = rid_param
            return 200, {}
        if endpoint == "get_default_rich_menu":
            return (200, {"richMenuId": self.default_rich_menu}) if self.default_rich_menu else fail(404, "no default richmenu")
        if endpoint == "cancel_default_rich_menu":
            self.default_rich_menu = None
            return 200, {}
        if endpoint == "link_rich_menu":
            if not user_ok(params["userId"]):
                return fail(400, "The value for the 'userId' parameter is invalid", "userId")
            problem = ready(rid_param)
            if problem:
                return problem
            self.user_rich_menus[params["userId"]] = rid_param
            return 200, {}
        if endpoint == "unlink_rich_menu":
            if not user_ok(params["userId"]):
                return fail(400, "The value for the 'userId' parameter is invalid", "userId")
            self.user_rich_menus.pop(params["userId"], None)
            return 200, {}
        if endpoint == "get_user_rich_menu":
            linked = self.user_rich_menus.get(params["userId"])
            return (200, {"richMenuId": linked}) if linked else fail(404, "the user has no richmenu")
        if endpoint == "link_rich_menu_bulk":
            problem = ready(body["richMenuId"])
            if problem:
                return problem
            for user_id in body["userIds"]:
                self.user_rich_menus[user_id] = body["richMenuId"]
            return 202, {}
        if endpoint == "unlink_rich_menu_bulk":
            for user_id in body["userIds"]:
                self.user_rich_menus.pop(user_id, None)
            return 202, {}
        if endpoint == "rich_menu_alias_list":
            return 200, {"aliases": [{"richMenuAliasId": a, "richMenuId": m}
                                     for a, m in self.rich_menu_aliases.items()]}
        if endpoint == "create_rich_menu_alias":
            alias = body["richMenuAliasId"]
            if alias in self.rich_menu_aliases:
                return fail(400, "conflict richmenu alias id", "richMenuAliasId")
            problem = ready(body["richMenuId"])
            if problem:
                return fail(400, problem[1]["message"], "richMenuId")
            self.rich_menu_aliases[alias] = body["richMenuId"]
            return 200, {}
        if endpoint == "update_rich_menu_alias":
            alias = params["richMenuAliasId"]
            if alias not in self.rich_menu_aliases:
                return fail(400, "richmenu alias not found", "richMenuAliasId")
            problem = ready(body["richMenuId"])
            if problem:
                return fail(400, problem[1]["message"], "richMenuId")
            self.rich_menu_aliases[alias] = body["richMenuId"]
            return 200, {}
        if endpoint == "delete_rich_menu_alias":
            if self.rich_menu_aliases.pop(params["richMenuAliasId"], None) is None:
                return fail(400, "richmenu alias not found")
            return 200, {}
        raise AssertionError(f"no answer for rich menu endpoint {endpoint}")  # pragma: no cover

    def _validate_loading(self, body: Any) -> list[dict[str, str]]:
        if not isinstance(body, dict):
            return [{"message": "must be an object", "property": ""}]
        details = []
        chat_id = body.get("chatId")
        if not isinstance(chat_id, str) or (self.strict_ids and not _USER_ID.match(chat_id)):
            details.append({"message": "must be a user ID (one-on-one chats only)", "property": "chatId"})
        seconds = body.get("loadingSeconds", 20)
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            details.append({"message": "must be 5, 10, ... or 60", "property": "loadingSeconds"})
        details += [{"message": "Unknown property", "property": k} for k in body if k not in ("chatId",
                                                                                             "loadingSeconds")]
        return details

    def _cost(self, endpoint: str, body: dict[str, Any]) -> int:
        """Messages counted against the quota: one per recipient (up to 5 message objects count once)."""
        if endpoint == "push":
            to = body["to"]
            if to.startswith("C"):
                return int(self.groups.get(to, {}).get("count", 1))
            if to.startswith("R"):
                return int(self.rooms.get(to, {}).get("count", 1))
            return 1
        if endpoint == "multicast":
            return len(body["to"])
        if endpoint in ("broadcast", "narrowcast"):
            return int(self.friend_count)
        return 0  # replies are free

    def _deliver(self, endpoint: str, body: dict[str, Any], retry_key: str | None, rid: str) -> tuple[int, Any]:
        if endpoint == "reply":
            self._used_reply_tokens.add(body["replyToken"])
        self.usage += self._cost(endpoint, body)
        if endpoint in ("reply", "push"):
            sent = []
            for m in body["messages"]:
                item = {"id": str(random.randrange(10 ** 17, 10 ** 18))}
                if m.get("type") in QUOTABLE_TYPES:
                    item["quoteToken"] = secrets.token_urlsafe(48)
                sent.append(item)
            status, answer = 200, {"sentMessages": sent}
        elif endpoint == "narrowcast":
            status, answer = 202, {}
        else:
            status, answer = 200, {}
        if retry_key is not None:
            self._accepted_retry_keys[retry_key] = (rid, answer)
        return status, answer

    def _answer(self, endpoint: str, params: dict[str, str]) -> tuple[int, Any]:
        not_found = (404, {"message": "Not found"})
        if endpoint == "profile":
            profile = self.profiles.get(params["userId"])
            if profile is None:
                return not_found
            return 200, {"userId": params["userId"], **profile}
        if endpoint in ("group_summary", "group_members_count", "group_member_profile", "leave_group"):
            group = self.groups.get(params["groupId"])
            if group is None:
                return not_found
            if endpoint == "group_summary":
                out = {"groupId": params["groupId"], "groupName": group.get("groupName", "")}
                if group.get("pictureUrl"):
                    out["pictureUrl"] = group["pictureUrl"]
                return 200, out
            if endpoint == "group_members_count":
                return 200, {"count": int(group.get("count", 0))}
            if endpoint == "leave_group":
                return 200, {}
            return self._member_profile(group, params["userId"])
        if endpoint in ("room_members_count", "room_member_profile", "leave_room"):
            room = self.rooms.get(params["roomId"])
            if room is None:
                return not_found
            if endpoint == "room_members_count":
                return 200, {"count": int(room.get("count", 0))}
            if endpoint == "leave_room":
                return 200, {}
            return self._member_profile(room, params["userId"])
        if endpoint == "quota":
            if self.quota is None:
                return 200, {"type": "none"}
            return 200, {"type": "limited", "value": int(self.quota)}
        if endpoint == "quota_consumption":
            return 200, {"totalUsage": self.usage}
        if endpoint == "bot_info":
            return 200, dict(self.bot_info)
        if endpoint == "loading":
            return 202, {}
        raise AssertionError(f"no answer for endpoint {endpoint}")  # pragma: no cover

    def _member_profile(self, chat: dict[str, Any], user_id: str) -> tuple[int, Any]:
        members = chat.get("members")
        profile = self.profiles.get(user_id)
        if profile is None or (members is not None and user_id not in members):
            return 404, {"message": "Not found"}
        out = {"displayName": profile.get("displayName", ""), "userId": user_id}
        if profile.get("pictureUrl"):
            out["pictureUrl"] = profile["pictureUrl"]
        return 200, out


# ---------------------------------------------------------------------- validation


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as LINE counts text (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _extends_cluster(ch: str) -> bool:
    cp = ord(ch)
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or cp == 0x200D or 0xFE00 <= cp <= 0xFE0F
            or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F or ch in "\u0e33\u0eb3")


def grapheme_len(text: str) -> int:
    """Approximate number of grapheme clusters (what a reader sees as characters), as LINE counts
    action labels and template texts: combining marks (Thai vowels and tone marks), ZWJ sequences,
    variation selectors, skin tones and flag pairs do not add a character."""
    count, prev, regional = 0, "", 0
    for ch in text:
        cp = ord(ch)
        is_regional = 0x1F1E6 <= cp <= 0x1F1FF
        joins = count and (_extends_cluster(ch) or prev == "\u200d" or (prev == "\r" and ch == "\n")
                           or (is_regional and regional % 2 == 1))
        if not joins:
            count += 1
        regional = regional + 1 if is_regional else 0
        prev = ch
    return count


def _camel(name: str) -> str:
    head, *rest = str(name).split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _sdk_errors(exc: Exception, prefix: str) -> list[dict[str, str]]:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            out = []
            for e in errors():
                loc = "".join(f"[{p}]" if isinstance(p, int) else f".{_camel(p)}" for p in e.get("loc", ()))
                out.append({"message": f"SDK model: {e.get('msg')}"[:300], "property": (prefix + loc).lstrip(".")})
            return out
        except Exception:  # pragma: no cover - be robust to odd errors
            pass
    return [{"message": f"SDK model: {exc}"[:300], "property": prefix}]


def unknown_keys(original: Any, roundtrip: Any, path: str = "") -> list[str]:
    """Properties of `original` (parsed JSON) that are missing from `roundtrip` (the SDK model's
    ``to_dict()`` of it): keys the SDK does not know, or null values. Paths look like
    ``messages[0].quickReply.items[2].foo``."""
    out: list[str] = []
    if isinstance(original, dict):
        rt = roundtrip if isinstance(roundtrip, dict) else {}
        for key, value in original.items():
            sub = f"{path}.{key}" if path else key
            if key not in rt:
                out.append(sub)
            else:
                out += unknown_keys(value, rt[key], sub)
    elif isinstance(original, list):
        rt = roundtrip if isinstance(roundtrip, list) else []
        for i, value in enumerate(original):
            out += unknown_keys(value, rt[i] if i < len(rt) else None, f"{path}[{i}]")
    return out


class _Checker:
    """LINE's documented limits on message objects, checked on the raw JSON."""

    def __init__(self) -> None:
        self.details: list[dict[str, str]] = []

    def error(self, prop: str, message: str) -> None:
        self.details.append({"message": message, "property": prop})

    def text(self, node: dict, key: str, prop: str, limit: int, *, required: bool = True,
             graphemes: bool = False) -> None:
        if key not in node:
            if required:
                self.error(f"{prop}.{key}", "Must not be empty")
            return
        value = node[key]
        if not isinstance(value, str):
            self.error(f"{prop}.{key}", "Must be a string")
            return
        n = grapheme_len(value) if graphemes else utf16_len(value)
        if required and n == 0:
            self.error(f"{prop}.{key}", "Must not be empty")
        elif n > limit:
            self.error(f"{prop}.{key}", f"Length must be between 0 and {limit} (was {n})")

    def size(self, node: dict, key: str, prop: str, low: int, high: int, *, required: bool = True) -> list:
        value = node.get(key)
        if value is None:
            if required:
                self.error(f"{prop}.{key}".lstrip("."), "Must not be empty")
            return []
        if not isinstance(value, list):
            self.error(f"{prop}.{key}".lstrip("."), "Must be an array")
            return []
        if not low <= len(value) <= high:
            self.error(f"{prop}.{key}".lstrip("."), f"Size must be between {low} and {high} (was {len(value)})")
        return value

    def url(self, value: Any, prop: str) -> None:
        if not isinstance(value, str):
            return
        if not value.startswith("https://"):
            self.error(prop, "Must be an HTTPS URL")
        elif len(value) > MAX_URL:
            self.error(prop, f"Length must be between 0 and {MAX_URL}")

    def urls(self, node: Any, prop: str) -> None:
        """Every image/icon URL under `node` must be HTTPS (Flex images/videos use ``url``)."""
        if isinstance(node, dict):
            for key, value in node.items():
                sub = f"{prop}.{key}"
                if key in URL_KEYS or (key == "url" and node.get("type") in ("image", "video", "icon")):
                    self.url(value, sub)
                else:
                    self.urls(value, sub)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.urls(value, f"{prop}[{i}]")

    def action(self, action: Any, prop: str, label_limit: int | None, *, label_required: bool = False) -> None:
        if not isinstance(action, dict):
            return
        kind = action.get("type")
        if label_limit is not None:
            self.text(action, "label", prop, label_limit, required=label_required, graphemes=True)
        if kind == "postback":
            self.text(action, "data", prop, MAX_POSTBACK_DATA, required=False, graphemes=True)
            self.text(action, "displayText", prop, MAX_ACTION_TEXT, required=False, graphemes=True)
            self.text(action, "fillInText", prop, MAX_ACTION_TEXT, required=False, graphemes=True)
            if "displayText" in action and "text" in action:
                self.error(f"{prop}.text", "displayText and text cannot both be set")
        elif kind == "message":
            self.text(action, "text", prop, MAX_ACTION_TEXT, graphemes=True)
        elif kind == "uri":
            key = "linkUri" if "linkUri" in action else "uri"  # imagemap actions use linkUri
            uri = action.get(key)
            if not isinstance(uri, str) or not re.match(r"^(https?|line|tel):", uri):
                self.error(f"{prop}.{key}", "Must start with http, https, line or tel")
            elif len(uri) > MAX_URI:
                self.error(f"{prop}.{key}", f"Length must be between 0 and {MAX_URI}")

    def actions_in(self, node: Any, prop: str, label_limit: int | None) -> None:
        """Check every action object nested under `node` (keys ``action``, ``actions``, ``defaultAction``)."""
        if isinstance(node, dict):
            for key, value in node.items():
                sub = f"{prop}.{key}"
                if key in ("action", "defaultAction"):
                    self.action(value, sub, label_limit)
                elif key == "actions" and isinstance(value, list):
                    for i, a in enumerate(value):
                        self.action(a, f"{sub}[{i}]", label_limit)
                else:
                    self.actions_in(value, sub, label_limit)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.actions_in(value, f"{prop}[{i}]", label_limit)

    def message(self, m: Any, prop: str) -> None:
        if not isinstance(m, dict):
            self.error(prop, "Must be an object")
            return
        kind = m.get("type")
        if kind in ("text", "textV2"):
            self.text(m, "text", prop, MAX_TEXT)
        if kind in ("flex", "template", "imagemap"):
            self.text(m, "altText", prop, MAX_ALT_TEXT)
        if kind == "flex" and isinstance(m.get("contents"), dict):
            self.flex(m["contents"], f"{prop}.contents")
        if kind == "template" and isinstance(m.get("template"), dict):
            self.template(m["template"], f"{prop}.template")
        if kind == "imagemap":
            self.actions_in({"actions": m.get("actions")}, prop, None)
        if kind == "location":
            self.text(m, "title", prop, 100)
            self.text(m, "address", prop, 100)
        qr = m.get("quickReply")
        if qr is not None:
            qprop = f"{prop}.quickReply"
            if not isinstance(qr, dict):
                self.error(qprop, "Must be an object")
            else:
                for i, item in enumerate(self.size(qr, "items", qprop, 1, MAX_QUICK_REPLY_ITEMS)):
                    if isinstance(item, dict):
                        self.action(item.get("action"), f"{qprop}.items[{i}].action", MAX_LABEL,
                                    label_required=True)
        sender = m.get("sender")
        if isinstance(sender, dict):
            self.text(sender, "name", f"{prop}.sender", 20, required=False)
        self.urls(m, prop)

    def flex(self, contents: dict, prop: str) -> None:
        size = len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        if contents.get("type") == "carousel":
            bubbles = self.size(contents, "contents", prop, 1, MAX_FLEX_CAROUSEL_BUBBLES)
            if size > MAX_FLEX_CAROUSEL_BYTES:
                self.error(prop, f"A Flex carousel must be at most {MAX_FLEX_CAROUSEL_BYTES} bytes of JSON "
                                 f"(was {size})")
            for i, bubble in enumerate(bubbles):
                if isinstance(bubble, dict):
                    self.bubble_size(bubble, f"{prop}.contents[{i}]")
        else:
            self.bubble_size(contents, prop)
        self.actions_in(contents, prop, MAX_FLEX_LABEL)

    def bubble_size(self, bubble: dict, prop: str) -> None:
        size = len(json.dumps(bubble, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        if size > MAX_FLEX_BUBBLE_BYTES:
            self.error(prop, f"A Flex bubble must be at most {MAX_FLEX_BUBBLE_BYTES} bytes of JSON (was {size})")

    def template(self, t: dict, prop: str) -> None:
        kind = t.get("type")
        if kind == "buttons":
            short = bool(t.get("thumbnailImageUrl") or t.get("title"))
            self.text(t, "title", prop, 40, required=False, graphemes=True)
            self.text(t, "text", prop, 60 if short else 160, graphemes=True)
            self.size(t, "actions", prop, 1, 4)
            self.actions_in(t, prop, MAX_LABEL)
        elif kind == "confirm":
            self.text(t, "text", prop, 240, graphemes=True)
            self.size(t, "actions", prop, 2, 2)
            self.actions_in(t, prop, MAX_LABEL)
        elif kind == "carousel":
            for i, col in enumerate(self.size(t, "columns", prop, 1, MAX_TEMPLATE_COLUMNS)):
                if isinstance(col, dict):
                    cprop = f"{prop}.columns[{i}]"
                    short = bool(col.get("thumbnailImageUrl") or col.get("title"))
                    self.text(col, "title", cprop, 40, required=False, graphemes=True)
                    self.text(col, "text", cprop, 60 if short else 120, graphemes=True)
                    self.size(col, "actions", cprop, 1, 3)
            self.actions_in(t, prop, MAX_LABEL)
        elif kind == "image_carousel":
            self.size(t, "columns", prop, 1, MAX_TEMPLATE_COLUMNS)
            self.actions_in(t, prop, MAX_IMAGE_CAROUSEL_LABEL)


def validate_send_body(endpoint: str, body: Any, *, strict_ids: bool = True) -> list[dict[str, str]]:
    """LINE-style error ``details`` (``[{"message", "property"}]``) for a reply/push/multicast/broadcast/
    narrowcast body; empty when LINE would accept it. Checks the SDK's request and message models,
    unknown or null properties (keys the SDK model drops on a ``from_dict().to_dict()`` round trip),
    and LINE's documented limits.

    The recipients (``replyToken``, ``to``) are checked on every call; the rest of the body is checked
    with stand-in recipients and the answer memoized by its JSON (`_body_details`), since the SDK's
    pydantic models take about 10 ms a carousel and a fake that validates one request at a time would
    otherwise be the bottleneck of bench/throughput.py. The answer for a body is the same either way."""
    if not isinstance(body, dict):
        return [{"message": "The request body must be a JSON object", "property": ""}]
    check = _Checker()
    stand_in: dict[str, Any] = {}
    if endpoint == "reply":
        check.text(body, "replyToken", "", 10_000)
        stand_in["replyToken"] = "r" * 32
    elif endpoint == "push":
        to = body.get("to")
        if not isinstance(to, str) or not to or (strict_ids and not _CHAT_ID.match(to)):
            check.error("to", f"The property, 'to', in the request body is invalid: {to!r}")
        stand_in["to"] = BOT_USER_ID
    elif endpoint == "multicast":
        tos = check.size(body, "to", "", 1, MAX_MULTICAST_TO)
        for i, to in enumerate(tos):
            if not isinstance(to, str) or (strict_ids and not _USER_ID.match(to)):
                check.error(f"to[{i}]", f"Must be a user ID: {to!r}")
        stand_in["to"] = [BOT_USER_ID] * max(1, len(tos))
    recipients = [{**d, "property": d["property"].lstrip(".")} for d in check.details]
    try:
        key = json.dumps({**body, **stand_in}, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):  # not JSON-shaped (a test's hand-made body): no memo
        return recipients + _body_details(endpoint, {**body, **stand_in})
    details = _memo_details(endpoint, key)
    if recipients:  # an SDK error about a recipient is already explained
        details = [d for d in details if not d["property"].startswith(("to", "replyToken"))]
    return recipients + [dict(d) for d in details]


@functools.lru_cache(maxsize=4096)
def _memo_details(endpoint: str, key: str) -> tuple[dict[str, str], ...]:
    return tuple(_body_details(endpoint, json.loads(key)))


def _body_details(endpoint: str, body: dict) -> list[dict[str, str]]:
    """`validate_send_body` of a body whose recipients are known to be well formed."""
    check = _Checker()
    messages = check.size(body, "messages", "", 1, MAX_MESSAGES)
    for i, m in enumerate(messages):
        check.message(m, f"messages[{i}]")
    details = [{**d, "property": d["property"].lstrip(".")} for d in check.details]

    # the SDK's own models: each message, then the whole request
    sdk_ok = True
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            continue
        try:
            Message.from_dict(m)
        except Exception as exc:  # pydantic ValidationError, discriminator ValueError, TypeError…
            sdk_ok = False
            prefix = f"messages[{i}]"
            if not any(d["property"].startswith(prefix) for d in details):  # else already explained
                details += _sdk_errors(exc, prefix)
    if sdk_ok:
        model = REQUEST_MODELS[endpoint]
        try:
            roundtrip = model.from_dict(body).to_dict()
        except Exception as exc:
            if not details:
                details += _sdk_errors(exc, "")
        else:
            for prop in unknown_keys(body, roundtrip):
                details.append({"message": "Unknown property (or null value): the SDK model drops it",
                                "property": prop})
    return details


RICH_MENU_MODELS = {"create_rich_menu": RichMenuRequest, "create_rich_menu_alias": CreateRichMenuAliasRequest,
                    "update_rich_menu_alias": UpdateRichMenuAliasRequest,
                    "link_rich_menu_bulk": RichMenuBulkLinkRequest, "unlink_rich_menu_bulk": RichMenuBulkUnlinkRequest}


def validate_rich_menu_body(endpoint: str, body: Any, *, strict_ids: bool = True) -> list[dict[str, str]]:
    """LINE-style error ``details`` for a rich menu JSON body (create, alias create/update, bulk
    link/unlink); empty when LINE would accept it. The SDK's request model (and unknown properties),
    then LINE's documented limits: size 800–2500 wide, ≥ 250 high, width/height ≥ 1.45; 1–20 areas
    inside the image, each with an action the SDK's `Action` model reads; chat bar text ≤ 14
    characters; alias IDs ``[a-z0-9_-]{1,32}``; 1–500 user IDs."""
    if not isinstance(body, dict):
        return [{"message": "The request body must be a JSON object", "property": ""}]
    details: list[dict[str, str]] = []
    try:
        roundtrip = RICH_MENU_MODELS[endpoint].from_dict(body).to_dict()
    except Exception as exc:
        return _sdk_errors(exc, "")
    details += [{"message": "Unknown property (or null value): the SDK model drops it", "property": p}
                for p in unknown_keys(body, roundtrip)]
    check = _Checker()
    if endpoint == "create_rich_menu":
        for key in ("size", "selected", "name", "chatBarText", "areas"):
            if key not in body:
                check.error(key, "Required")
        size = body.get("size") or {}
        w, h = size.get("width"), size.get("height")
        if not (isinstance(w, int) and isinstance(h, int) and 800 <= w <= 2500 and h >= 250 and w / h >= 1.45):
            check.error("size", f"Must be 800-2500 wide, at least 250 high, width/height >= 1.45: {w}x{h}")
            w = h = None
        check.text(body, "chatBarText", "", MAX_CHAT_BAR_TEXT, graphemes=True)
        check.text(body, "name", "", 300)
        for i, area in enumerate(check.size(body, "areas", "", 1, MAX_RICH_MENU_AREAS)):
            prop = f"areas[{i}]"
            b = area.get("bounds") or {}
            x, y, bw, bh = (b.get(k) for k in ("x", "y", "width", "height"))
            if not all(isinstance(v, int) and v >= 0 for v in (x, y, bw, bh)) or not bw or not bh:
                check.error(f"{prop}.bounds", "x, y, width and height must be non-negative integers")
            elif w is not None and (x + bw > w or y + bh > h):
                check.error(f"{prop}.bounds", f"The area passes the image's {w}x{h}")
            action = area.get("action")
            try:
                Action.from_dict(action)
            except Exception as exc:
                details += _sdk_errors(exc, f"{prop}.action")
                continue
            check.action(action, f"{prop}.action", MAX_LABEL)
            if action.get("type") == "richmenuswitch":
                check.text(action, "richMenuAliasId", f"{prop}.action", 32)
                check.text(action, "data", f"{prop}.action", MAX_POSTBACK_DATA)
    elif endpoint == "create_rich_menu_alias" and not _ALIAS_ID.match(str(body.get("richMenuAliasId", ""))):
        check.error("richMenuAliasId", "Must be 1-32 characters of a-z, 0-9, _ and -")
    elif endpoint in ("link_rich_menu_bulk", "unlink_rich_menu_bulk"):
        for i, user_id in enumerate(check.size(body, "userIds", "", 1, MAX_BULK_USERS)):
            if not isinstance(user_id, str) or (strict_ids and not _USER_ID.match(user_id)):
                check.error(f"userIds[{i}]", f"Must be a user ID: {user_id!r}")
    return details + [{**d, "property": d["property"].lstrip(".")} for d in check.details]
