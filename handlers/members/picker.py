"""The one picker of a member's place: role → work group (staff) or school (school users).

Registration, invite creation and an admin's role change all reuse these steps (`steps`), over a flow
data class that extends `Place`. Every step is a `handlers.core.flow.Step`:

- "role": a choice among the offered roles, typed in natural Thai ("สถานศึกษาครับ", "บุคลากร") or pressed;
- "group": a choice of work group; each choice carries the group's name, short name and aliases as its
  words, so "กลุ่มนโยบายและแผนค่ะ", "นโยบายแผน" and "ICT" all pick one;
- "school": typed text, searched fuzzily in the imported school list (`storage.schools.search`);
- "schools": a choice of the schools found (pressed, or typed "1", or the school's name); other text
  typed there is a new search.

When the place is complete the picker calls the flow's `done(ctx, st, role, work_group, school_code)`
(staff have a group, school users a school code; other roles neither), which returns the next step or
the end of the flow.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable, Sequence, Union

from content.model import Content, Group
from handlers.core import policy
from handlers.core.flow import NEEDS_USER, Flow, FlowState, Step
from handlers.core.types import Ctx, Result, UserFacingError
from handlers.core.words import Choice, choose
from handlers.members import directory
from storage import schools
from storage.models import School

Text = Union[str, Callable[[Ctx, FlowState], str]]
Done = Callable[[Ctx, FlowState, str, "str | None", "str | None"], Result]

ROLE_WORDS = {
    policy.STAFF: ("บุคลากร", "บุคลากรสำนักงาน", "เจ้าหน้าที่", "สำนักงาน", "ข้าราชการ", "เจ้าหน้าที่สำนักงาน",
                   "staff"),
    policy.SCHOOL: ("สถานศึกษา", "โรงเรียน", "ครู", "ผู้บริหารสถานศึกษา", "ผู้อำนวยการ", "ผู้อำนวยการโรงเรียน",
                    "school"),
    policy.ADMIN: ("ผู้ดูแลระบบ", "ผู้ดูแล", "แอดมิน", "admin"),
    policy.GUEST: ("ผู้ใช้ทั่วไป", "ทั่วไป", "guest"),
}
ASK_GROUP = "อยู่กลุ่มงานไหนคะ เลือกจากปุ่มด้านล่าง หรือพิมพ์ชื่อกลุ่มงานได้เลยค่ะ 👇"
ASK_SCHOOL = ("พิมพ์ชื่อโรงเรียนได้เลยค่ะ เช่น \"บ้านควนขนุน\" (ไม่ต้องพิมพ์คำว่าโรงเรียน) "
              "หรือพิมพ์รหัสโรงเรียน 8 หลัก")
PICK_SCHOOL = "เลือกโรงเรียนค่ะ 👇"
RETYPE_SCHOOL = "ถ้าไม่มีโรงเรียนที่ต้องการ พิมพ์ชื่อใหม่ได้เลยค่ะ"
SCHOOL_EXPECTS = "ขั้นนี้ให้พิมพ์ชื่อโรงเรียน หรือรหัสโรงเรียน 8 หลักค่ะ"


@dataclass
class Place:
    """What the picker fills in: the role, then the work group id or school code; `school_query` is the
    last school name typed (the "schools" step's choices are the schools it finds)."""

    role: str = ""
    work_group: str = ""
    school_code: str = ""
    school_query: str = ""


# -- choices -----------------------------------------------------------------------------------------
def role_choices(roles: Sequence[str]) -> list[Choice]:
    """A choice per role in `roles`, with the ways people type it."""
    return [Choice(r, policy.ROLE_NAMES[r], ROLE_WORDS[r]) for r in roles]


def group_choices(content: Content) -> list[Choice]:
    """A choice per work group: the short label on the button, the full name shown when pressed, and
    the id, name and aliases as words."""
    return [Choice(g.id, directory.short_label(g), (g.id, g.name, *g.aliases), g.name)
            for g in directory.work_groups(content)]


def find_group(content: Content, text: str) -> Group | None:
    """The work group `text` names (as the "group" step reads it: particles, short names, typos), or
    None; also what "สร้างคำเชิญ นโยบาย 5" and the `flask` commands use."""
    found = directory.find_group(content, text) or None
    if found is None:
        picked = choose(text, group_choices(content))
        found = content.group(picked.value) if picked else None
    return found


def school_choices(ctx: Ctx, query: str) -> list[Choice]:
    """The schools `query` finds (at most `directory.SCHOOL_MATCHES`), numbered, as choices."""
    if not query:
        return []
    found = schools.search(ctx.session, query, directory.SCHOOL_MATCHES)
    return [Choice(s.code, f"{i}. {s.name.removeprefix('โรงเรียน')}", (s.name, s.name.removeprefix("โรงเรียน"), s.code),
                   s.name) for i, s in enumerate(found, 1)]


def _text(value: Text, ctx: Ctx, st: FlowState) -> str:
    return value(ctx, st) if callable(value) else value


# -- steps -------------------------------------------------------------------------------------------
def steps(done: Done, roles: Sequence[str], ask_role: Text, *, ask_group: Text = ASK_GROUP,
          ask_school: Text = ASK_SCHOOL, no_schools: str = directory.NO_SCHOOLS) -> dict[str, Step]:
    """The picker's steps ("role", "group", "school", "schools") for a flow whose data extends `Place`.

    `roles` are the roles offered (their order is the buttons'); `ask_role`, `ask_group` and `ask_school`
    are the questions (text, or `fn(ctx, st) -> text`); `no_schools` answers a school chosen while the
    school list is empty: the role is asked again when other roles are offered, else the flow ends. `done`
    is called with the complete place.
    """

    def cancel() -> list:
        return [directory.cancel_button()]

    def role_prompt(ctx: Ctx, st: FlowState) -> Result:
        return Result.text(_text(ask_role, ctx, st), st.choice_buttons(role_choices(roles)) + cancel())

    def on_role(ctx: Ctx, st: FlowState, role: str) -> Result:
        return chosen_role(ctx, st, role)

    def group_prompt(ctx: Ctx, st: FlowState) -> Result:
        return Result.text(_text(ask_group, ctx, st), st.choice_buttons(group_choices(ctx.content)) + cancel())

    def on_group(ctx: Ctx, st: FlowState, group_id: str) -> Result:
        return done(ctx, st.replace(role=policy.STAFF, work_group=group_id, school_code=""), policy.STAFF,
                    group_id, None)

    def school_prompt(ctx: Ctx, st: FlowState) -> Result:
        return Result.text(_text(ask_school, ctx, st), cancel())

    def on_school_text(ctx: Ctx, st: FlowState, text: str) -> Result:
        query = text.strip()[:100]
        if not school_choices(ctx, query):
            raise UserFacingError(directory.SCHOOL_NOT_FOUND.format(text=query[:60]), cancel())
        return st.goto(ctx, "schools", school_query=query)

    def schools_prompt(ctx: Ctx, st: FlowState) -> Result:
        found = schools.search(ctx.session, st.data.school_query, directory.SCHOOL_MATCHES)
        lines = [PICK_SCHOOL] + [_school_line(i, s) for i, s in enumerate(found, 1)] + [RETYPE_SCHOOL]
        return Result.text("\n".join(lines), st.choice_buttons(school_choices(ctx, st.data.school_query)) + cancel())

    def on_school(ctx: Ctx, st: FlowState, code: str) -> Result:
        return done(ctx, st.replace(role=policy.SCHOOL, school_code=code, work_group=""), policy.SCHOOL, None, code)

    def chosen_role(ctx: Ctx, st: FlowState, role: str) -> Result:
        if role == policy.STAFF:
            return st.goto(ctx, "group", role=role)
        if role == policy.SCHOOL:
            if not schools.count(ctx.session):  # another role may still be the one meant ("ครู" at an office)
                return st.again(ctx, no_schools) if len(roles) > 1 else st.end(Result.text(no_schools))
            return st.goto(ctx, "school", role=role)
        return done(ctx, st.replace(role=role, work_group="", school_code=""), role, None, None)

    return {
        "role": Step(role_prompt, choices=lambda ctx, st: role_choices(roles), on_choice=on_role),
        "group": Step(group_prompt, choices=lambda ctx, st: group_choices(ctx.content), on_choice=on_group),
        "school": Step(school_prompt, on_text=on_school_text, expects=SCHOOL_EXPECTS),
        "schools": Step(schools_prompt, choices=lambda ctx, st: school_choices(ctx, st.data.school_query),
                        on_choice=on_school, on_text=on_school_text),
    }


def begin(flow: Flow, ctx: Ctx, role: str | None = None, **data) -> Result:
    """Start `flow` (whose steps include the picker's) with `data`: at its first step, or, when `role` is
    already known ("ลงทะเบียน บุคลากร"), as if it had been chosen at the "role" step."""
    if role is None:
        return flow.begin(ctx, **data)
    if ctx.inp.user_id is None:
        raise UserFacingError(NEEDS_USER)
    st = FlowState(flow, "role", flow.data_type(**data), secrets.token_hex(4))
    return flow.steps["role"].on_choice(ctx, st, role)


def role_in(text: str, roles: Sequence[str]) -> str | None:
    """The role `text` names among `roles` ("บุคลากรค่ะ" -> staff), or None."""
    picked = choose(text, role_choices(roles)) if text.strip() else None
    return picked.value if picked else None


def _school_line(i: int, s: School) -> str:
    return f"{i}. {s.name} ({s.code}) {s.district}".rstrip()
