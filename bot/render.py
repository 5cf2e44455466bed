"""Turn handler replies (`handlers.core.types`) into LINE messages (`linebot.v3.messaging` models).

LINE's limits live here and only here (Messaging API reference, "Message objects" and "Send reply
message"): 5 messages a reply, 5,000 characters a text, 13 quick-reply items, 300 characters of postback
data, 20-character action labels, 12 bubbles a carousel, 1,500 characters of altText, and Flex sizes of
about 30 KB a bubble (we keep each section short and page long lists instead).
"""
from __future__ import annotations

import functools
import json
import logging
from typing import Any

from linebot.v3.messaging import (DatetimePickerAction, FlexBox, FlexBubble, FlexButton, FlexCarousel, FlexFiller, FlexImage, FlexMessage,
                                  FlexSeparator, FlexText, ImageMessage, Message, MessageAction, PostbackAction, QuickReply,
                                  QuickReplyItem, TextMessage, URIAction)

from handlers.core import types as t

log = logging.getLogger(__name__)

MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_QUICK_REPLIES = 13
MAX_POSTBACK_DATA = 300
MAX_LABEL = 20
MAX_DISPLAY_TEXT = 300
MAX_ALT_TEXT = 1500
MAX_BUBBLES = 12
MAX_BUBBLE_BYTES = 30_000
MAX_SECTION_CHARS = 600  # per card section; full text is one button away
MAX_IMAGE_URL = 2000  # Flex image url, image message URLs

ACCENT = "#1D6F42"
MUTED = "#7A7A7A"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into chunks of at most `limit` characters, at line breaks where possible."""
    chunks, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current or not chunks:
        chunks.append(current)
    return [c.rstrip("\n") or "…" for c in chunks]


def action(a: t.Action, label: str):
    """An SDK action for our `Action`, label clipped to LINE's 20 characters."""
    label = clip(label, MAX_LABEL)
    if isinstance(a, t.PostbackAction):
        if len(a.data) > MAX_POSTBACK_DATA:
            raise ValueError(f"postback data over {MAX_POSTBACK_DATA} characters: {a.data[:40]}…")
        display = clip(a.display, MAX_DISPLAY_TEXT) if a.display else None
        return PostbackAction(label=label, data=a.data, displayText=display)
    if isinstance(a, t.MessageAction):
        return MessageAction(label=label, text=clip(a.text, MAX_DISPLAY_TEXT))
    if isinstance(a, t.DatetimePickerAction):
        if len(a.data) > MAX_POSTBACK_DATA:
            raise ValueError(f"postback data over {MAX_POSTBACK_DATA} characters: {a.data[:40]}…")
        extra = {k: v for k, v in (("initial", a.initial), ("max", a.max), ("min", a.min)) if v}
        return DatetimePickerAction(label=label, data=a.data, mode=a.mode, **extra)
    return URIAction(label=label, uri=a.uri)


def quick_reply(buttons: list[t.Button]) -> QuickReply | None:
    """A QuickReply of at most 13 items, or None. A button whose label (as shown, cut to 20 characters)
    or action repeats an earlier one is left out: two "ยกเลิก" side by side only confuse."""
    seen_labels: set[str] = set()
    seen_actions: set[t.Action] = set()
    items = []
    for b in buttons:
        shown = clip(b.label, MAX_LABEL)
        if shown in seen_labels or b.action in seen_actions:
            continue
        seen_labels.add(shown)
        seen_actions.add(b.action)
        items.append(QuickReplyItem(action=action(b.action, b.label)))
    return QuickReply(items=items[:MAX_QUICK_REPLIES]) if items else None


def card_text(card: t.Card) -> str:
    """The whole card as plain text: the text fallback for Flex, and what the console shows."""
    lines = [card.label, card.title]
    if card.image_url:
        lines.append(f"รูปภาพ: {card.image_url}")
    for s in card.sections:
        lines.append("")
        lines.append(f"■ {s.heading}")
        if s.bar is not None:
            pct = max(0, min(100, round(s.bar.fraction * 100)))
            lines.append("▓" * (pct // 10) + "░" * (10 - pct // 10) + f" {s.bar.caption or f'{pct}%'}")
        lines.extend(s.lines)
    if card.footnote:
        lines += ["", card.footnote]
    return "\n".join(line for line in lines if line is not None).strip()


TRACK = "#E6E6E6"


def bar_box(bar: t.Bar) -> FlexBox:
    """A Flex progress bar: a grey track with the done part filled in `bar.colour`, caption at the right."""
    pct = max(0, min(100, round(bar.fraction * 100)))
    fill = FlexBox(layout="vertical", width=f"{pct}%", height="8px", backgroundColor=bar.colour, cornerRadius="4px",
                   contents=[FlexFiller()]) if pct else None
    track = FlexBox(layout="vertical", height="8px", backgroundColor=TRACK, cornerRadius="4px", flex=5,
                    contents=[fill] if fill else [FlexFiller()])
    caption = FlexText(text=bar.caption or f"{pct}%", size="xs", color=MUTED, flex=2, align="end")
    return FlexBox(layout="horizontal", spacing="md", alignItems="center", contents=[track, caption])


def _section_box(section: t.Section) -> FlexBox:
    body = clip("\n".join(section.lines), MAX_SECTION_CHARS)
    heading_colour = section.colour or (MUTED if section.note else ACCENT)
    contents = [FlexText(text=section.heading, size="sm", weight="bold", color=heading_colour)]
    if section.bar is not None:
        contents.append(bar_box(section.bar))
    if body or section.bar is None:
        contents.append(FlexText(text=body or "-", size="sm", wrap=True, color=MUTED if section.note else None))
    return FlexBox(layout="vertical", spacing="xs", margin="lg", contents=contents)


def bubble(card: t.Card) -> FlexBubble:
    """A Flex bubble for `card`: label and title in the header, sections in the body, buttons below."""
    header = FlexBox(layout="vertical", spacing="xs", contents=[
        FlexText(text=clip(card.label, 120) or " ", size="xs", color=MUTED, wrap=True),
        FlexText(text=clip(card.title, 300) or " ", size="md", weight="bold", wrap=True),
    ])
    contents = [_section_box(s) for s in card.sections]
    if card.footnote:
        contents += [FlexSeparator(margin="lg"), FlexText(text=clip(card.footnote, 300), size="xxs",
                                                          color=MUTED, wrap=True, margin="md")]
    body = FlexBox(layout="vertical", contents=contents or [FlexText(text=" ", size="xs")])
    footer = None
    if card.buttons:
        footer = FlexBox(layout="vertical", spacing="sm", contents=[
            FlexButton(action=action(b.action, b.label), style="link" if i else "primary", height="sm",
                       color=ACCENT if not i else None)
            for i, b in enumerate(card.buttons[:4])])
    hero = None
    if card.image_url:
        if not card.image_url.startswith("https://") or len(card.image_url) > MAX_IMAGE_URL:
            raise ValueError(f"a Flex image needs an HTTPS URL of at most {MAX_IMAGE_URL} characters")
        hero = FlexImage(url=card.image_url, size="full", aspectRatio="20:13", aspectMode="cover",
                         action=URIAction(label="รูปภาพ", uri=card.image_url))
    result = FlexBubble(header=header, hero=hero, body=body, footer=footer)
    size = len(json.dumps(result.to_dict(), ensure_ascii=False).encode())
    if size > MAX_BUBBLE_BYTES:  # never expected with clipped sections; stay valid rather than fail
        log.warning("bubble %r is %d bytes; dropping body", card.label, size)
        result = FlexBubble(header=header, hero=hero, footer=footer,
                            body=FlexBox(layout="vertical", contents=[FlexText(text="(ยาวเกินแสดง)", size="sm")]))
    return result


def _alt(text: str) -> str:
    return clip(text.replace("\n", " ").strip() or "ข้อความจากบอท", MAX_ALT_TEXT)


def message(reply: t.Reply) -> list[Message]:
    """LINE messages for one reply (a long text may become several)."""
    if isinstance(reply, t.TextReply):
        return [TextMessage(text=chunk) for chunk in split_text(reply.text)]
    if isinstance(reply, t.ImageReply):
        for url in (reply.url, reply.preview_url):
            if not url.startswith("https://") or len(url) > MAX_IMAGE_URL:
                raise ValueError(f"an image message needs HTTPS URLs of at most {MAX_IMAGE_URL} characters")
        return [ImageMessage(originalContentUrl=reply.url, previewImageUrl=reply.preview_url)]
    if isinstance(reply, t.Card):
        return [FlexMessage(altText=_alt(reply.alt_text or f"{reply.label} {reply.title}"), contents=bubble(reply))]
    cards = list(reply.cards[:MAX_BUBBLES])
    if reply.more and len(cards) == MAX_BUBBLES:
        cards = cards[: MAX_BUBBLES - 1]
    bubbles = [bubble(c) for c in cards]
    if reply.more:
        bubbles.append(bubble(t.Card(label="", title="ยังมีอีก", sections=(), buttons=(reply.more,))))
    if len(bubbles) == 1:
        return [FlexMessage(altText=_alt(reply.alt_text), contents=bubbles[0])]
    return [FlexMessage(altText=_alt(reply.alt_text), contents=FlexCarousel(contents=bubbles))]


def fallback_text(reply: t.Reply) -> str:
    """Plain text for any reply (used when LINE rejects a Flex message, and by the offline console)."""
    if isinstance(reply, t.TextReply):
        return reply.text
    if isinstance(reply, t.Card):
        return card_text(reply)
    if isinstance(reply, t.ImageReply):
        return f"รูปภาพ: {reply.url}"
    return "\n\n".join(card_text(c) for c in reply.cards)


def render(result: t.Result, as_text: bool = False) -> list[Message]:
    """All messages for `result` (at most 5; quick replies on the last). `as_text` renders Flex as text."""
    messages: list[Message] = []
    for reply in result.replies:
        messages.extend(message(t.TextReply(fallback_text(reply))) if as_text and not isinstance(reply, t.TextReply)
                        else message(reply))
    if len(messages) > MAX_MESSAGES:
        log.warning("reply had %d messages; keeping %d", len(messages), MAX_MESSAGES)
        messages = messages[:MAX_MESSAGES]
    qr = quick_reply(result.quick_replies)
    if qr and messages:
        messages[-1].quick_reply = qr
    return messages


def payload(result: t.Result, as_text: bool = False) -> list[dict[str, Any]]:
    """`render(result, as_text)` as LINE message objects (JSON dicts, exactly the SDK models' `to_dict`):
    what the reply request and outbox rows carry. The dicts may be shared between calls: never mutate them.

    Each reply is rendered once and kept (`_reply_dicts`, the last 256 distinct replies): the SDK's
    models are slow to build and to serialise, and most replies are the same standards cards.
    """
    messages: list[dict[str, Any]] = []
    for reply in result.replies:
        messages.extend(reply_dicts(t.TextReply(fallback_text(reply))) if as_text and not isinstance(reply, t.TextReply)
                        else reply_dicts(reply))
    if len(messages) > MAX_MESSAGES:
        log.warning("reply had %d messages; keeping %d", len(messages), MAX_MESSAGES)
        messages = messages[:MAX_MESSAGES]
    if result.quick_replies and messages:
        try:
            qr = _quick_reply_dict(tuple(result.quick_replies))
        except TypeError:  # unhashable buttons
            qr = _quick_reply_dict.__wrapped__(tuple(result.quick_replies))
        if qr:
            messages[-1] = {**messages[-1], "quickReply": qr}
    return messages


def reply_dicts(reply: t.Reply) -> list[dict[str, Any]]:
    """The LINE message objects of one reply (`message(reply)` as dicts), from the cache when it was
    rendered before; a reply that cannot be hashed (a list where a tuple belongs) is rendered afresh."""
    try:
        return list(_reply_dicts(reply))
    except TypeError:
        return [m.to_dict() for m in message(reply)]


@functools.lru_cache(maxsize=256)
def _reply_dicts(reply: t.Reply) -> tuple[dict[str, Any], ...]:
    return tuple(m.to_dict() for m in message(reply))


@functools.lru_cache(maxsize=256)
def _quick_reply_dict(buttons: tuple[t.Button, ...]) -> dict[str, Any] | None:
    qr = quick_reply(list(buttons))
    return qr.to_dict() if qr else None


def as_dicts(replies: list[t.Reply]) -> list[dict]:
    """LINE message objects (JSON dicts) for `replies`: what outbox rows store."""
    return payload(t.Result(list(replies)))
