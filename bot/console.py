"""Chat with the bot in a terminal, as a chosen user, in a 1:1 or a group chat, with no LINE channel.

Each line you type becomes a real webhook event (built as LINE sends it and parsed by the SDK) that goes
through the same `BotRuntime.handle_event` as `/callback`; replies are captured offline and shown as
text: Flex cards flattened, buttons and quick replies numbered, so typing a number presses one.
"""
from __future__ import annotations

import dataclasses
import itertools
import secrets
import threading
import time
from typing import Any, Callable, Iterable

from linebot.v3.messaging import FlexMessage, ImageMessage, Message, TextMessage
from linebot.v3.webhooks import Event

from bot.runtime import BotRuntime
from bot.send import OfflineLineApi, Sender, readable

HELP = """คำสั่งในคอนโซล:
  /group [GROUP_ID]   คุยในกลุ่มไลน์ (ข้อความในกลุ่มต้องขึ้นต้นด้วย "บอท" หรือเป็นรหัส)
  /user               กลับมาแชต 1:1
  /as USER_ID         เปลี่ยนผู้ใช้
  /follow  /join      จำลองการเพิ่มเพื่อน / เชิญบอทเข้ากลุ่ม
  /quit               ออก
พิมพ์ตัวเลขเพื่อกดปุ่มหรือ quick reply ที่มีหมายเลขกำกับ"""

_ids = itertools.count(1)


def _event_id() -> str:
    return "01CONSOLE" + secrets.token_hex(9).upper()[:17]


class Console:
    """A console session: who you are, where you chat, and the numbered actions of the last reply."""

    def __init__(self, runtime: BotRuntime, user_id: str = "Uconsole0000000000000000000000001") -> None:
        self.offline = OfflineLineApi()
        self.runtime = dataclasses.replace(runtime, sender=Sender(self.offline))
        self.user_id = user_id
        self.group_id: str | None = None
        self.options: list[dict[str, Any]] = []
        self.elsewhere: list[str] = []
        self._seen = 0  # how much of `offline.sent` has been shown
        self._lock = threading.Lock()  # the scheduler's jobs send from their own thread

    # -- events as LINE sends them ---------------------------------------------------------------
    def _base(self, etype: str) -> dict[str, Any]:
        source = ({"type": "group", "groupId": self.group_id, "userId": self.user_id} if self.group_id
                  else {"type": "user", "userId": self.user_id})
        return {"type": etype, "mode": "active", "timestamp": int(time.time() * 1000), "source": source,
                "webhookEventId": _event_id(), "deliveryContext": {"isRedelivery": False},
                "replyToken": secrets.token_hex(16)}

    def text_event(self, text: str) -> dict[str, Any]:
        ev = self._base("message")
        ev["message"] = {"id": str(next(_ids)), "type": "text", "text": text, "quoteToken": secrets.token_hex(8)}
        return ev

    def postback_event(self, data: str) -> dict[str, Any]:
        ev = self._base("postback")
        ev["postback"] = {"data": data}
        return ev

    def send(self, raw_event: dict[str, Any]) -> list[Message]:
        """Push one raw event through the bot; the messages it answered this chat with. What it sent to
        anyone else (an admin's notice, a broadcast) is kept in `elsewhere` as readable lines."""
        with self._lock:
            self.elsewhere.extend(self._new_lines())
            self.runtime.handle_event(Event.from_dict(raw_event))
            here = self.group_id or self.user_id
            mine: list[Message] = []
            for kind, to, msgs in self._take():
                if kind == "reply" or to == here:
                    mine.extend(msgs)
                else:
                    self.elsewhere.append(self._elsewhere_line(kind, to, msgs))
            return mine

    def drain(self) -> list[str]:
        """What the scheduled jobs sent since the last look (multicasts, group pushes, the author's
        delivery report, reminders), as 📨 lines; the console prints them as they come."""
        with self._lock:
            return self._new_lines()

    def _take(self) -> list[tuple[str, str, list[Message]]]:
        new = self.offline.sent[self._seen:]
        self._seen += len(new)
        return new

    def _new_lines(self) -> list[str]:
        return [self._elsewhere_line(kind, to, msgs) for kind, to, msgs in self._take()]

    def _elsewhere_line(self, kind: str, to: str, msgs: list[Message]) -> str:
        who = "คุณ" if to == (self.group_id or self.user_id) else (to or "ผู้ติดตามทุกคน")
        return f"📨 ({kind} ถึง {who})\n{readable(msgs)}"

    # -- one line of input -----------------------------------------------------------------------
    def handle_line(self, line: str) -> str:
        """Act on what the person typed; returns the text to print."""
        line = line.strip()
        if not line:
            return ""
        if line.isdigit() and self.options and 1 <= int(line) <= len(self.options):
            action = self.options[int(line) - 1]
            if action.get("type") == "postback":
                shown = action.get("displayText") or action.get("label")
                return f"(กด: {shown})\n" + self.show(self.send(self.postback_event(action["data"])))
            if action.get("type") == "message":
                return f"(ส่ง: {action['text']})\n" + self.show(self.send(self.text_event(action["text"])))
            return f"(ลิงก์: {action.get('uri')})"
        if line.startswith("/"):
            return self.command(line)
        return self.show(self.send(self.text_event(line)))

    def command(self, line: str) -> str:
        cmd, _, arg = line.partition(" ")
        if cmd == "/group":
            self.group_id = arg.strip() or "Cconsolegroup00000000000000000001"
            return f"(ตอนนี้คุยในกลุ่ม {self.group_id})"
        if cmd == "/user":
            self.group_id = None
            return "(ตอนนี้แชต 1:1 กับบอท)"
        if cmd == "/as" and arg.strip():
            self.user_id = arg.strip()
            return f"(ตอนนี้คุณคือ {self.user_id})"
        if cmd == "/follow":
            ev = self._base("follow")
            ev["follow"] = {"isUnblocked": False}
            return self.show(self.send(ev))
        if cmd == "/join":
            self.group_id = self.group_id or "Cconsolegroup00000000000000000001"
            ev = self._base("join")
            ev["source"].pop("userId", None)
            return self.show(self.send(ev))
        return HELP

    # -- showing replies -------------------------------------------------------------------------
    def show(self, messages: list[Message]) -> str:
        """Messages as readable text; numbers the actions and remembers them for the next line."""
        self.options = []
        blocks = [self._flatten(m) for m in messages] or ["(บอทไม่ตอบ)"]
        qr = getattr(messages[-1], "quick_reply", None) if messages else None
        if qr:
            blocks.append("ตัวเลือก: " + "  ".join(self._option(i.action.to_dict()) for i in qr.items))
        blocks += self.elsewhere
        self.elsewhere = []
        return "\n\n".join(b for b in blocks if b)

    def _option(self, action: dict[str, Any]) -> str:
        self.options.append(action)
        return f"[{len(self.options)}] {action.get('label')}"

    def _flatten(self, m: Message) -> str:
        if isinstance(m, TextMessage):
            return m.text
        if isinstance(m, FlexMessage):
            contents = m.contents.to_dict()
            bubbles = contents["contents"] if contents.get("type") == "carousel" else [contents]
            return "\n──────────\n".join(self._bubble(b) for b in bubbles)
        if isinstance(m, ImageMessage):
            return f"[รูปภาพ: {m.original_content_url}]"
        return f"[{m.type}]"

    def _bubble(self, bubble: dict[str, Any]) -> str:
        lines: list[str] = []
        for part in ("header", "hero", "body", "footer"):
            if bubble.get(part):
                lines.extend(self._walk(bubble[part]))
        return "\n".join(lines)

    def _walk(self, node: dict[str, Any]) -> Iterable[str]:
        kind = node.get("type")
        if kind == "text" and node.get("text", "").strip():
            yield node["text"]
        elif kind == "button":
            yield self._option(node["action"])
        elif kind == "image":
            yield f"[รูปภาพ: {node.get('url')}]"
        for child in node.get("contents") or []:
            yield from self._walk(child)


def run(runtime: BotRuntime, read: Callable[[str], str] = input, write: Callable[[str], None] = print,
        group_id: str | None = None, user_id: str | None = None,
        start_jobs: Callable[[BotRuntime], Callable[[], None]] | None = None, poll: float = 1.0) -> None:
    """The interactive loop (until /quit or end of input). `start_jobs(runtime)` starts the scheduled jobs
    on the console's own offline runtime and returns how to stop them; what they send is printed as it
    comes (checked every `poll` seconds) and before each answer."""
    console = Console(runtime, user_id) if user_id else Console(runtime)
    console.group_id = group_id
    stop_jobs = start_jobs(console.runtime) if start_jobs else None
    done = threading.Event()

    def show_background() -> None:
        while not done.wait(poll):
            for line in console.drain():
                write(line)

    printer = threading.Thread(target=show_background, name="console-jobs", daemon=True)
    printer.start()
    write("คุยกับบอทได้เลย (พิมพ์ /help ดูคำสั่ง, /quit ออก)")
    try:
        _loop(console, read, write)
    finally:
        done.set()
        printer.join()
        if stop_jobs:
            stop_jobs()
        for line in console.drain():
            write(line)


def _loop(console: Console, read: Callable[[str], str], write: Callable[[str], None]) -> None:
    while True:
        try:
            line = read("คุณ> " if not console.group_id else f"คุณ@{console.group_id[:8]}> ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in ("/quit", "/exit"):
            break
        out = console.handle_line(line)
        if out:
            write(out if out.startswith("(") else "บอท> " + out)

