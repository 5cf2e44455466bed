"""The plain data handlers take and return: no Flask, no LINE SDK types.

`Input` is one webhook event as the handlers see it; `Ctx` is everything a handler may use; `Result`
holds the replies. `bot/render.py` turns replies into LINE messages within LINE's limits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, ClassVar, Literal, Protocol, Union

from sqlalchemy.orm import Session

from content.model import Content
from content.search import SearchIndex

ChatKind = Literal["user", "group", "room"]
InputKind = Literal["text", "postback", "follow", "unfollow", "join", "leave", "member_joined", "member_left",
                    "sticker", "media", "other"]


@dataclass(frozen=True)
class Input:
    """One webhook event: `kind`, the user's `text` or postback `data`, and where it came from.

    `user_id` may be None in a group chat (LINE sends it only from its mobile apps). `chat_id` is the
    user, group or room ID to push to. `timestamp` is UTC. `mentioned` is True when the message tags
    the bot (LINE's `mention.mentionees[].isSelf`), with the mention text already removed from `text`.
    """

    kind: InputKind
    chat_kind: ChatKind
    chat_id: str
    user_id: str | None
    timestamp: datetime
    text: str = ""
    data: str = ""
    event_type: str = ""
    mentioned: bool = False
    member_ids: tuple[str, ...] = ()  # user IDs that joined or left (memberJoined / memberLeft events)
    picked: str = ""  # a datetime picker's choice (postback `params`: "2026-12-31T16:30", "2026-12-31" in date
    # mode, "16:30" in time mode; Asia/Bangkok)
    media: "Media | None" = None  # a photo or file the bot fetched before dispatch (see `Media`)


@dataclass(frozen=True)
class Media:
    """A photo or file sent in a 1:1 chat, fetched by the bot (`bot.media`) before dispatch, outside any
    transaction: LINE's `message_id`, `kind` (image, file, video, audio), the original `name`, and either
    where it was stored (`path`, relative to EVIDENCE_DIR; `size` bytes, `content_type`) or, when it was
    not kept, `error` ("too_large", "bad_type", "unavailable")."""

    message_id: str
    kind: str
    name: str = ""
    path: str = ""
    size: int = 0
    content_type: str = ""
    error: str = ""


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the policy sees them: `user_id` (None when LINE did not say), role, flags.

    `configured_admin` is True for the IDs in `LINE_ADMIN_USER_IDS` (their role is then "admin" whatever
    the database says); `handlers.core.policy.actor_of` is the one place that decides it.
    """

    user_id: str | None
    role: str = "guest"
    work_group: str | None = None
    school_code: str | None = None
    complaint_officer: bool = False
    configured_admin: bool = False


@dataclass(frozen=True)
class Settings:
    """What handlers may know of the configuration: admin LINE user IDs."""

    admin_user_ids: frozenset[str] = frozenset()
    office_name: str = "สำนักงานเขตพื้นที่การศึกษา"


class LineInfo(Protocol):
    """Facts about LINE as the bot last read them, cached in the database (`storage.line_facts`): reading
    them does no network I/O, so handlers may ask inside the event's transaction. None = not known yet.

    `quota()` is the month's message limit (None = unlimited or unknown), `usage()` the messages used
    this month, `group_member_count(chat_id)` a group's or room's head count (what a push to it costs),
    `group_name(chat_id)` a group's name. A fact that is unknown or stale is re-read from LINE after the
    event's commit; `refresh(chat_id)` asks for that explicitly (the bot just joined, members came or went).
    """

    def quota(self) -> int | None: ...

    def usage(self) -> int | None: ...

    def group_member_count(self, chat_id: str) -> int | None: ...

    def group_name(self, chat_id: str) -> str | None: ...

    def refresh(self, chat_id: str) -> None: ...


class Exports(Protocol):
    """Progress files written under the instance folder and signed, expiring download links to them
    (`bot.files.Exports`). Local file I/O only, no network; `sar_files` and `chart_image` take a second
    or so, so handlers call them in `Result.after_commit`, not in the event's transaction. `progress` is
    a `handlers.evidence.progress.OfficeProgress`; `now` is UTC.

    `sar_files` writes the SAR draft (Word, Excel) and gives [(file name, URL, expiry UTC)];
    `chart_image` draws the progress chart and gives it as an image message; `kept_file_url` links (for an
    hour) to a photo or file someone sent, by its path relative to EVIDENCE_DIR, or None when it is gone."""

    def sar_files(self, progress: Any, now: datetime) -> list[tuple[str, str, datetime]]: ...

    def chart_image(self, progress: Any, now: datetime) -> "ImageReply": ...

    def kept_file_url(self, rel_path: str, name: str, now: datetime) -> str | None: ...


@dataclass(frozen=True)
class Ctx:
    """Everything a handler needs: the transaction's `session`, content, search index, `now` (UTC),
    who is acting (`actor`, as `handlers.core.policy` sees them), cached LINE facts (`line`), and
    `render`, which turns replies into LINE message dicts for outbox rows (`bot.render.as_dicts`)."""

    session: Session
    content: Content
    index: SearchIndex
    now: datetime
    settings: Settings
    inp: Input
    actor: Actor = field(default_factory=lambda: Actor(None))
    line: LineInfo | None = None
    exports: "Exports | None" = None  # None: PUBLIC_BASE_URL is not set, no download links can be made
    render: Callable[[list[Reply]], list[dict[str, Any]]] | None = None

    @property
    def is_admin(self) -> bool:
        """True when the person acting is an admin (a configured one or by role)."""
        return self.actor.role == "admin"


# Actions a button or quick reply performs.
@dataclass(frozen=True)
class PostbackAction:
    """Send postback `data` (≤300 chars, built by `handlers.core.postback.encode`); `display` is echoed."""

    data: str
    display: str | None = None


@dataclass(frozen=True)
class MessageAction:
    """Send `text` as if the user typed it."""

    text: str


@dataclass(frozen=True)
class UriAction:
    uri: str


@dataclass(frozen=True)
class DatetimePickerAction:
    """LINE's datetime picker: the chosen value comes back as a postback with `data` and
    `params.datetime` / `params.date` / `params.time` (`Input.picked`). `mode` is "datetime", "date" or
    "time"; `initial`/`min`/`max` are "YYYY-MM-DDTHH:MM", "YYYY-MM-DD" or "HH:MM" to match (Asia/Bangkok)."""

    data: str
    initial: str = ""
    min: str = ""
    max: str = ""
    mode: str = "datetime"


Action = Union[PostbackAction, MessageAction, UriAction, DatetimePickerAction]


@dataclass(frozen=True)
class Button:
    """A labelled action: a card button or a quick-reply item (label cut to LINE's 20 chars on render)."""

    label: str
    action: Action


@dataclass(frozen=True)
class TextReply:
    """A plain text message (split on render when over LINE's 5,000 characters)."""

    text: str


@dataclass(frozen=True)
class Bar:
    """A progress bar: `fraction` done (0..1), its `colour` ("#RRGGBB") and a short `caption` beside it."""

    fraction: float
    colour: str = "#1D6F42"
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A titled block of a card: `heading` and its `lines` (each rendered as a wrapped text); `bar`
    draws a progress bar under the heading; `colour` tints the heading (a status colour)."""

    heading: str
    lines: tuple[str, ...]
    note: bool = False
    bar: Bar | None = None
    colour: str = ""


@dataclass(frozen=True)
class Card:
    """A Flex bubble: `title` under a small `label` (e.g. "เกณฑ์ 1.1.5"), sections and buttons.

    `alt_text` is what LINE shows in notifications and chat lists; `bot.render.card_text` gives the
    whole card as plain text (the text fallback, and what the console shows). `image_url` (HTTPS, JPEG
    or PNG) is shown full width above the title; tapping it opens the image.
    """

    label: str
    title: str
    sections: tuple[Section, ...]
    buttons: tuple[Button, ...] = ()
    alt_text: str = ""
    footnote: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class CardList:
    """A carousel of cards (LINE allows 12 bubbles; longer lists are paged with `more`)."""

    alt_text: str
    cards: tuple[Card, ...]
    more: Button | None = None


@dataclass(frozen=True)
class ImageReply:
    """An image message: `url` (HTTPS, PNG or JPEG, ≤ 10 MB) and `preview_url` (≤ 1 MB) that LINE fetches,
    e.g. signed links served by the app (`bot.files`)."""

    url: str
    preview_url: str


Reply = Union[TextReply, Card, CardList, ImageReply]


@dataclass(frozen=True)
class NextState:
    """The conversation state a handler leaves behind (`handlers.core.flow`): a flow's name, its step,
    its data (JSON-able) and session id; `NextState.END` ends the flow."""

    flow: str
    step: str
    data: dict[str, Any]
    session_id: str

    END: ClassVar["NextState"]


NextState.END = NextState("", "", {}, "")


@dataclass
class Result:
    """What a handler returns: replies in order, and quick replies shown under the last one.

    `next_state` is the conversation state to leave (None: unchanged); `dispatch` writes it.
    `pushes` are messages for OTHER people than the current chat, as (LINE user/group ID, replies):
    the runtime renders each and enqueues one outbox push per recipient in the same transaction, then
    sends them right after the commit (the delivery job retries failures).
    `after_commit`, when set, is slow local work that must not hold the event's transaction (drawing a
    chart, writing the SAR files): the runtime calls it after the commit, outside any transaction, and
    replies with the Result it returns instead of this one. It must not use the database.
    """

    replies: list[Reply] = field(default_factory=list)
    quick_replies: list[Button] = field(default_factory=list)
    pushes: list[tuple[str, list[Reply]]] = field(default_factory=list)
    next_state: NextState | None = None
    after_commit: Callable[[], "Result"] | None = None

    @classmethod
    def text(cls, text: str, quick_replies: list[Button] | None = None) -> "Result":
        return cls([TextReply(text)], list(quick_replies or []))

    def with_state(self, next_state: NextState | None) -> "Result":
        """This result, leaving `next_state` behind (None: the state is left as it is)."""
        self.next_state = next_state
        return self


class UserFacingError(Exception):
    """Bad input from the user: the message (Thai) says what to do instead. `dispatch` replies with it."""

    def __init__(self, message: str, quick_replies: list[Button] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.quick_replies = quick_replies or []

