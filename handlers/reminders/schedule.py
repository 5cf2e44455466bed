"""When deadline reminders go out: the policy per round kind (defaults here, the office's edits in
`storage.models.ReminderPolicy`), the steps of one round, and the step due at a given instant.

The defaults (issue 9): 14, 7, 3 and 1 days before the due date, on the due day, then every 3 days
after it while items are missing and the round is open, at 08:30 Asia/Bangkok. A step that falls on a
weekend or a public holiday moves to the working day before (`WorkCalendar.on_or_before`); two steps
that land on the same day are sent once, as the later of them. After downtime only the latest step
that fell due is sent, and none more than `LATE` after its moment.

Step names are stable and go into outbox dedupe keys: "b14" (14 days before), "d0" (the due day),
"a3", "a6", … (days after).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from content.thai import THAI_DIGITS
from handlers.core.thaidate import BANGKOK
from handlers.core.types import UserFacingError
from handlers.core.workdays import WorkCalendar
from handlers.core.words import strip_tail
from storage import reminders as reminder_store

LATE = timedelta(days=1)  # a step more than this late (downtime) is not sent any more
MAX_BEFORE = 60  # days before the due date a reminder may be set
MAX_STEPS = 8  # reminders before the due date (the due day included)
MAX_EVERY = 30  # days between reminders after the due date


@dataclass(frozen=True)
class Policy:
    """One round kind's reminders: `days_before` (descending; 0 = the due day itself), `every_after`
    (days between reminders after the due date; 0 = none) and `at` (the local time, Asia/Bangkok)."""

    days_before: tuple[int, ...] = (14, 7, 3, 1, 0)
    every_after: int = 3
    at: time = time(8, 30)

    def describe(self) -> str:
        """The policy in Thai: "ก่อนครบกำหนด 14, 7, 3, 1 วัน · วันครบกำหนด · หลังครบกำหนดทุก 3 วัน · เวลา 08:30 น."."""
        before = [d for d in self.days_before if d > 0]
        parts = [f"ก่อนครบกำหนด {', '.join(map(str, before))} วัน" if before else "ไม่เตือนก่อนครบกำหนด"]
        parts.append("วันครบกำหนด" if 0 in self.days_before else "ไม่เตือนในวันครบกำหนด")
        parts.append(f"หลังครบกำหนดทุก {self.every_after} วันจนกว่าจะครบ" if self.every_after else
                     "ไม่เตือนหลังครบกำหนด")
        parts.append(f"เวลา {self.at.strftime('%H:%M')} น.")
        return " · ".join(parts)


DEFAULT = Policy()
# the defaults per round kind (storage.rounds.KINDS); the office edits them with "ตั้งค่าการเตือน"
DEFAULTS: dict[str, Policy] = {kind: DEFAULT for kind in ("sar", "kpi6", "kpi9", "kpi12", "strategy", "pmqa", "other")}


@dataclass(frozen=True)
class Step:
    """One reminder of a round: its `name` ("b7", "d0", "a3"), when it goes (`moment`, UTC) and how many
    days before the due date it stands for (`days`; negative after it)."""

    name: str
    moment: datetime
    days: int


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, BANGKOK).astimezone(timezone.utc)


def steps(policy: Policy, due_at: datetime, calendar: WorkCalendar, until: date) -> list[Step]:
    """The steps of a round due at `due_at` (UTC) whose nominal day is on or before `until` (a Bangkok
    date), each moved to the working day on or before it, in time order; steps sharing a day are one
    (the later of them)."""
    due = due_at.astimezone(BANGKOK).date()
    nominal = [(f"b{d}" if d else "d0", d) for d in sorted(set(policy.days_before), reverse=True)]
    if policy.every_after > 0:
        k = policy.every_after
        while due + timedelta(days=k) <= until:
            nominal.append((f"a{k}", -k))
            k += policy.every_after
    by_day: dict[date, Step] = {}
    for name, d in nominal:
        if due - timedelta(days=d) > until:
            continue
        day = calendar.on_or_before(due - timedelta(days=d))
        by_day[day] = Step(name, _moment(day, policy.at), d)  # later nominal steps overwrite earlier ones
    return sorted(by_day.values(), key=lambda s: s.moment)


def due_step(policy: Policy, due_at: datetime, calendar: WorkCalendar, now: datetime) -> Step | None:
    """The step to send at `now` (UTC): the latest whose moment has come, unless it is more than `LATE`
    past (then None: after downtime the bot does not send yesterday's reminder today)."""
    today = now.astimezone(BANGKOK).date()
    # a nominal day up to a fortnight ahead can move back to today (Songkran, New Year)
    past = [s for s in steps(policy, due_at, calendar, today + timedelta(days=15)) if s.moment <= now]
    if not past or now - past[-1].moment > LATE:
        return None
    return past[-1]


def policy_for(session, kind: str) -> Policy:
    """Round kind `kind`'s policy: the office's edit (`storage.reminders`), else the default."""
    row = reminder_store.policy_row(session, kind)
    if row is None:
        return DEFAULTS.get(kind, DEFAULT)
    h, m = (int(x) for x in row.send_at.split(":"))
    return Policy(tuple(sorted({int(d) for d in row.days_before}, reverse=True)), int(row.every_after), time(h, m))


# -- edits typed by an admin ("ตั้งค่าการเตือน") ----------------------------------------------------------
EDIT_HELP = ("พิมพ์วันที่จะเตือนก่อนครบกำหนดเป็นตัวเลข เช่น \"14 7 3 1 0\" (0 = วันครบกำหนด), "
             "การเตือนหลังครบกำหนด เช่น \"ทุก 3 วันหลังครบกำหนด\" หรือ \"ไม่เตือนหลังครบกำหนด\", "
             "หรือเวลา เช่น \"08:30\" ค่ะ")
_TIME = re.compile(r"^(?:เวลา)?\s*(\d{1,2})\s*[:.]\s*(\d{2})\s*(?:น\.?|นาฬิกา)?$")
_EVERY = re.compile(r"^(?:เตือน)?\s*ทุก\s*(\d{1,3})\s*วัน\s*(?:หลัง(?:ครบ)?(?:กำหนด)?(?:ส่ง)?)?$")
_NO_AFTER = re.compile(r"^ไม่(?:ต้อง)?เตือนหลัง(?:ครบ)?(?:กำหนด)?(?:ส่ง)?$")
_DAYS = re.compile(r"^(?:เตือน)?\s*(?:ก่อน(?:ครบ)?(?:กำหนด)?)?\s*((?:\d{1,3}\s*[,\s]\s*)*\d{1,3})\s*(?:วัน)?\s*"
                   r"(?:ก่อน(?:ครบ)?(?:กำหนด)?)?$")


def parse_edit(text: str, policy: Policy) -> Policy:
    """`policy` changed by what an admin typed: days before ("14 7 3 1 0", "๑๔ ๗ ๓"), the reminders after
    the due date ("ทุก 3 วันหลังครบกำหนด", "ไม่เตือนหลังครบกำหนด") or the time ("08:30", "8.30 น.").
    Raises UserFacingError (`EDIT_HELP`, or why the numbers will not do) for anything else."""
    t = " ".join(strip_tail(text).translate(THAI_DIGITS).split())
    m = _TIME.match(t)
    if m:
        h, mi = int(m[1]), int(m[2])
        if h > 23 or mi > 59:
            raise UserFacingError(f"เวลา \"{t}\" ไม่มีจริงค่ะ 🙏 พิมพ์แบบ 24 ชั่วโมง เช่น \"08:30\" หรือ \"16:00\" นะคะ")
        return Policy(policy.days_before, policy.every_after, time(h, mi))
    if _NO_AFTER.match(t.replace(" ", "")):
        return Policy(policy.days_before, 0, policy.at)
    m = _EVERY.match(t)
    if m:
        every = int(m[1])
        if not 1 <= every <= MAX_EVERY:
            raise UserFacingError(f"เตือนหลังครบกำหนดได้ทุก 1–{MAX_EVERY} วันค่ะ 🙏 หรือพิมพ์ \"ไม่เตือนหลังครบกำหนด\"")
        return Policy(policy.days_before, every, policy.at)
    m = _DAYS.match(t)
    if m:
        days = sorted({int(x) for x in re.findall(r"\d+", m[1])}, reverse=True)
        if days[0] > MAX_BEFORE:
            raise UserFacingError(f"เตือนล่วงหน้าได้ไม่เกิน {MAX_BEFORE} วันค่ะ 🙏 เช่น \"14 7 3 1 0\"")
        if len(days) > MAX_STEPS:
            raise UserFacingError(f"ตั้งได้ไม่เกิน {MAX_STEPS} ครั้งก่อนครบกำหนดค่ะ 🙏 (การเตือนกลุ่มมีค่าใช้จ่ายทุกครั้ง)")
        return Policy(tuple(days), policy.every_after, policy.at)
    raise UserFacingError(EDIT_HELP)
