"""Holiday commands: "วันหยุด" / "วันหยุดราชการ" (anyone: the coming days off), and the admins'
"เพิ่มวันหยุด" / "ลบวันหยุด" (1:1 only; also the list card's buttons, postback "hol").

Who sees what: the list is public (policy "holidays.view") — staff plan leave and deadlines by it, and
nothing in it is personal — so anyone may ask, in any chat; in a group the word must be addressed to the
bot ("บอท วันหยุด"), as "วันหยุด" alone is ordinary group talk. Edits are "holidays.manage": admins, in a
1:1 chat; an admin asking in a group gets the list and a note that edits are made 1:1.
"""
from __future__ import annotations

from handlers.calendar import actions, cards, steps
from handlers.core import policy
from handlers.core.routing import Command
from handlers.core.types import Ctx, Result, UserFacingError


def holidays(ctx: Ctx, rest: str = "") -> Result:
    """"วันหยุด": the days off from today to the end of the fiscal year (at least 90 days ahead)."""
    policy.require(ctx, "holidays.view")
    start, end = actions.window(steps.today(ctx))
    can_edit = policy.allowed(ctx.actor, "holidays.manage") and ctx.inp.chat_kind == "user"
    card = cards.holidays_card(actions.days_off(ctx.session, start, end), end, can_edit=can_edit,
                               admin_elsewhere=ctx.is_admin and not can_edit)
    return Result([card])


def add_holiday(ctx: Ctx, rest: str = "") -> Result:
    """"เพิ่มวันหยุด" (optionally with the date: "เพิ่มวันหยุด 16 เม.ย. 2570"): the add flow."""
    policy.require(ctx, "holidays.manage")
    return steps.begin_add(ctx, rest)


def remove_holiday(ctx: Ctx, rest: str = "") -> Result:
    """"ลบวันหยุด": the remove flow (pick a coming day off, confirm)."""
    policy.require(ctx, "holidays.manage")
    return steps.begin_remove(ctx)


def on_postback(ctx: Ctx, payload: dict) -> Result:
    """Postback "hol": the list card's "เพิ่มวันหยุด" (o=add) and "ลบวันหยุด" (o=remove)."""
    op = payload.get("o")
    if op == "add":
        return add_holiday(ctx)
    if op == "remove":
        return remove_holiday(ctx)
    raise UserFacingError(policy.REFUSED[policy.ADMIN])


COMMANDS = [
    Command(("วันหยุด", "วันหยุดราชการ", "ปฏิทินวันหยุด", "ดูวันหยุด"), holidays, bare_in_group=False),
    Command(("เพิ่มวันหยุด",), add_holiday, bare_in_group=False),
    Command(("ลบวันหยุด",), remove_holiday, bare_in_group=False),
]
POSTBACKS = {"hol": on_postback}
FLOWS = (steps.HOLIDAY,)
EVENTS: dict = {}
