"""Which text is for the bot, and which command it names.

Design.md, "Manners in a chat": in a LINE group the bot speaks only when addressed — tagged, or the
message starts with "บอท" — or when the whole message is a bare code ("ตบช. 2.1") or a bare command word
("ตั้งค่ากลุ่ม"). Numbers inside ordinary talk ("ประชุม 9.30 น.", "โอนแล้ว 1.5 หมื่น") are not codes. A
command is a whole word (`handlers.core.words.command_rest`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from content.codes import parse_codes
from content.model import Content
from content.thai import loose
from handlers.core.types import Ctx, Result
from handlers.core.words import command_rest, is_bare, plain

ADDRESS = re.compile(r"^\s*(?:@?น้องบอท|@?บอท|@?bot)(?![a-z])\s*[,:：]?\s*", re.IGNORECASE)
# what may stand around a bare code: its keyword, "ที่", particles (checked in loose form)
_CODE_WORDS = re.compile(r"(?:มาตรฐาน|มาตฐาน|มฐ|ม ฐ|std|ตัวบงชี|ตัวบงชิ|ตวบงชี|ตบช|ต บ ช|ตชบ|indicator|เกณฑการประเมิน|"
                         r"เกณฑการประเมน|เกณฑ|เกณท|เกนฑ|เกณ|criterion|criteria|หมวด|หมวก|ประเดน|ขอ|ที|pmqa)")
# words of wanting that may lead a command typed out of a flow (not in a group's bare-command check)
WANTING = re.compile(r"^(?:อยากจะ|อยาก|ต้องการจะ|ต้องการ|ตองการ|ขอ|รบกวน|ช่วย)\s*")
_NUMBERS = re.compile(r"\d{1,2}(?:\s*\d{1,2}){0,2}")


@dataclass(frozen=True)
class Command:
    """A command: its `words` (Thai first), `run(ctx, rest) -> Result | None`, the argument words that may
    be glued to it without a space (`args`: "สมาชิกรออนุมัติ"), and whether the word alone in a group chat
    is addressed to the bot (`bare_in_group`; "รับทราบ" is ordinary group talk, so it is not)."""

    words: tuple[str, ...]
    run: Callable[[Ctx, str], Result | None]
    args: tuple[str, ...] = ()
    bare_in_group: bool = True


class Commands:
    """Every command of every capability, matched longest word first."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self.items = sorted(((w, c) for c in commands for w in c.words), key=lambda wc: -len(wc[0]))

    def match(self, text: str) -> tuple[Command, str] | None:
        """(command, the rest of the text) when `text` starts with a command as a whole word, else None.
        A command may be led by a word of wanting ("อยากร้องเรียน", "ขอลงทะเบียนค่ะ", "ต้องการแจ้งเรื่อง")."""
        found = self._match(text)
        if found is None:
            t = text.strip()
            lead = WANTING.match(t)
            if lead and lead.end() < len(t):
                found = self._match(t[lead.end():])
        return found

    def _match(self, text: str) -> tuple[Command, str] | None:
        for word, cmd in self.items:
            rest = command_rest(text, word, cmd.args)
            if rest is not None:
                return cmd, rest
        return None

    def bare(self, text: str, in_group: bool = False) -> Command | None:
        """The command whose word is the whole of `text` (particles aside); in a group chat only those
        that are `bare_in_group`."""
        q = plain(text)
        for word, cmd in self.items:
            if plain(word) == q and (cmd.bare_in_group or not in_group):
                return cmd
        return None


def is_bare_code(text: str, content: Content) -> bool:
    """True when the whole of `text` is a standards code: "ตบช. 2.1", "เกณฑ์ที่ 1.1.5", "มฐ.2", "หมวด 3",
    or a bare number that names an indicator or criterion of the content ("2.1", "5.2.4"). Talk with a
    number in it ("ประชุม 9.30 น.") is not, nor a bare number the content does not have ("9.30")."""
    refs = parse_codes(text)
    if not refs or len(text) > 40:
        return False
    lt = plain(text)
    rest = _NUMBERS.sub(" ", _CODE_WORDS.sub(" ", lt)).strip()
    if rest:
        return False
    if _CODE_WORDS.search(lt):
        return True
    ref = refs[0]
    return (ref.kind == "indicator" and content.indicator(ref.code) is not None) or \
        (ref.kind == "criterion" and content.criterion(ref.code) is not None)


def addressed(ctx: Ctx, commands: Commands) -> str | None:
    """The text meant for the bot, or None when a group message is not addressed to it."""
    text = ctx.inp.text.strip()
    if ctx.inp.chat_kind == "user" or ctx.inp.mentioned:
        return text
    m = ADDRESS.match(text)
    if m:
        return text[m.end():].strip()
    if is_bare_code(text, ctx.content) or commands.bare(text, in_group=True) is not None:
        return text
    return None


def is_one_of(text: str, words: Sequence[str]) -> bool:
    """True when the whole of `text` is one of `words` (particles and tone marks aside)."""
    return any(is_bare(text, w) for w in words) or loose(text) in {loose(w) for w in words}
