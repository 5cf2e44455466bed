"""The office's work groups and schools as people see them in chat, and how a member's place reads.

Work groups come from `content/groups.yaml` (the "all" pseudo-group is never a choice); schools from the
imported list (`storage.schools`). The group and school picker built on these is
`handlers.members.picker`; the commands here plug into dispatch through `handlers.members.manage`.
"""
from __future__ import annotations


from sqlalchemy.orm import Session

from content.model import Content, Group
from content.thai import loose
from handlers.core import policy
from handlers.core import postback
from handlers.core.routing import Command
from handlers.standards import lookup as standards
from handlers.core.types import Button, Card, Ctx, MessageAction, PostbackAction, Result, Section, UserFacingError
from storage import members, schools
from storage.models import School

ALL = "all"
OFFICER_NAME = "เจ้าหน้าที่รับเรื่องร้องเรียน"
LABEL_MAX = 20
SCHOOL_MATCHES = 5
LIST_SCHOOLS_MAX = 300  # beyond this the full list is too long for a chat; counts per district instead
NO_SCHOOLS = ("ยังไม่มีรายชื่อโรงเรียนในระบบค่ะ 🙏 ผู้ดูแลเครื่องแม่ข่ายของระบบนำเข้ารายชื่อโรงเรียนได้ "
              "(ดูหัวข้อ \"นำเข้ารายชื่อโรงเรียน\" ในคู่มือของระบบ)")
SCHOOL_NOT_FOUND = ("ไม่พบโรงเรียนที่ชื่อคล้าย \"{text}\" ค่ะ 🙏 ลองพิมพ์ใหม่เฉพาะชื่อ เช่น \"บ้านควนขนุน\" "
                    "(ไม่ต้องพิมพ์คำว่าโรงเรียน) หรือพิมพ์รหัสโรงเรียน 8 หลักนะคะ")
SEARCH_HOW = "พิมพ์ \"ค้นหาโรงเรียน\" ตามด้วยชื่อโรงเรียนค่ะ เช่น \"ค้นหาโรงเรียน บ้านควนขนุน\""


def work_groups(content: Content) -> list[Group]:
    """The work groups a person can belong to (every group but "all")."""
    return [g for g in content.groups if g.id != ALL]


def group_name(content: Content, group_id: str | None) -> str:
    """The Thai name of `group_id` ("" for None; the id itself if the content no longer has it)."""
    if not group_id:
        return ""
    try:
        return content.group(group_id).name
    except KeyError:
        return group_id


def short_label(group: Group) -> str:
    """A button label for `group` within LINE's 20 characters: its name without "กลุ่ม", else an alias."""
    name = group.name.removeprefix("กลุ่ม")
    if len(name) <= LABEL_MAX:
        return name
    return next((a for a in group.aliases if len(a) <= LABEL_MAX), name[:LABEL_MAX])


def _group_key(text: str) -> str:
    return loose(text).removeprefix("กลุ่มงาน").removeprefix("กลุ่ม").strip()


def find_group(content: Content, text: str) -> Group | None:
    """The work group whose id, name or alias is `text` (Thai-safe, "กลุ่ม"/"กลุ่มงาน" optional), else None."""
    q = _group_key(text)
    if not q:
        return None
    for g in work_groups(content):
        if q in {_group_key(n) for n in (g.id, g.name, *g.aliases)}:
            return g
    return None


def school_text(school: School | None, code: str | None = None) -> str:
    """e.g. ``โรงเรียนบ้านควนขนุน (93020001)``."""
    return f"{school.name} ({school.code})" if school else (code or "")


def place_text(ctx: Ctx, role: str, work_group: str | None = None, school_code: str | None = None,
               officer: bool = False) -> str:
    """How a role reads, e.g. ``บุคลากรสำนักงาน · กลุ่มนโยบายและแผน`` or ``สถานศึกษา · โรงเรียน… (9302…)``."""
    return describe_place(ctx.content, ctx.session, role, work_group, school_code, officer)


def describe_place(content: Content, session: Session, role: str, work_group: str | None = None,
                   school_code: str | None = None, officer: bool = False) -> str:
    """`place_text` outside a chat (the `flask members` commands)."""
    parts = [policy.ROLE_NAMES.get(role, role)]
    if role == policy.STAFF and work_group:
        parts.append(group_name(content, work_group))
    if role == policy.SCHOOL and school_code:
        parts.append(school_text(schools.get(session, school_code), school_code))
    if officer and role == policy.STAFF:
        parts.append(OFFICER_NAME)
    return " · ".join(parts)


def cancel_button() -> Button:
    """The "ยกเลิก" quick reply that ends any flow (postback "cancel", handled by dispatch)."""
    return Button("ยกเลิก", PostbackAction(postback.encode("cancel"), "ยกเลิก"))


def list_groups(ctx: Ctx, rest: str = "") -> Result:
    """The work groups; `rest` naming one shows its card. Other text after "กลุ่มงาน" ("กลุ่มงานไหน
    รับผิดชอบ…") is a standards question and goes to the standards search."""
    policy.require(ctx, "workgroups.view")
    if rest:
        group = find_group(ctx.content, rest)
        return group_card(ctx, group) if group else standards.lookup(ctx, f"กลุ่มงาน {rest}")
    counts = policy.allowed(ctx.actor, "groups.view")
    lines = [f"กลุ่มงานของสำนักงานเขตพื้นที่การศึกษา {len(work_groups(ctx.content))} กลุ่มค่ะ"]
    for i, g in enumerate(work_groups(ctx.content), 1):
        extra = f" — สมาชิก {len(members.members(ctx.session, 'staff', g.id))} คน" if counts else ""
        lines.append(f"{i}. {g.name}{extra}")
    lines.append("พิมพ์ \"กลุ่มงาน\" ตามด้วยชื่อกลุ่ม เช่น \"กลุ่มงาน นิเทศ\" เพื่อดูว่ากลุ่มรับผิดชอบเกณฑ์ใดค่ะ")
    return Result.text("\n".join(lines))


def group_card(ctx: Ctx, group: Group) -> Result:
    """One work group: its other names, the criteria it leads, and (for admins) its members."""
    main = [c.code for c in ctx.content.criteria() if group.id in c.main_groups]
    co = [c.code for c in ctx.content.criteria() if group.id in c.co_groups]
    sections = [Section("ชื่อที่ใช้เรียก", (", ".join(group.aliases) or "-",)),
                Section("ผู้รับผิดชอบหลักในเกณฑ์", (", ".join(main) or "ไม่มีในเอกสาร",)),
                Section("ผู้รับผิดชอบร่วมในเกณฑ์", (", ".join(co) or "ไม่มีในเอกสาร",))]
    buttons = [Button(f"เกณฑ์ {code}", MessageAction(f"เกณฑ์ {code}")) for code in main[:2]]
    if policy.allowed(ctx.actor, "members.view"):
        staff = members.members(ctx.session, "staff", group.id)
        sections.append(Section("สมาชิกในบอท", (f"{len(staff)} คน",)))
        buttons.append(Button("ดูสมาชิกกลุ่มนี้", PostbackAction(postback.encode("mem", o="list", f=f"g:{group.id}"),
                                                               f"สมาชิก {group.name}")))
    return Result([Card(label="กลุ่มงาน", title=group.name, sections=tuple(sections), buttons=tuple(buttons),
                        alt_text=f"กลุ่มงาน {group.name}")])


def search_schools(ctx: Ctx, rest: str = "") -> Result:
    """Schools whose name is like `rest` (staff and admins)."""
    policy.require(ctx, "schools.view")
    if not schools.count(ctx.session):
        return Result.text(NO_SCHOOLS)
    if not rest.strip():
        raise UserFacingError(SEARCH_HOW)
    found = schools.search(ctx.session, rest, SCHOOL_MATCHES)
    if not found:
        raise UserFacingError(SCHOOL_NOT_FOUND.format(text=rest.strip()[:60]))
    lines = [f"โรงเรียนที่ใกล้เคียง \"{rest.strip()[:60]}\" ค่ะ"]
    lines += [f"• {s.name} รหัส {s.code}" + (f"\n  {s.district}" if s.district else "") for s in found]
    return Result.text("\n".join(lines))


def list_schools(ctx: Ctx, rest: str = "") -> Result:
    """Every school by district (or, for a long list, the count per district); staff and admins."""
    policy.require(ctx, "schools.view")
    rows = schools.all_schools(ctx.session)
    if not rows:
        return Result.text(NO_SCHOOLS)
    by_district: dict[str, list[School]] = {}
    for s in rows:
        by_district.setdefault(s.district or "ไม่ระบุอำเภอ/เครือข่าย", []).append(s)
    lines = [f"รายชื่อโรงเรียนในระบบ {len(rows)} แห่งค่ะ"]
    for district, items in by_district.items():
        if len(rows) > LIST_SCHOOLS_MAX:
            lines.append(f"• {district}: {len(items)} แห่ง")
            continue
        lines.append(f"\n■ {district}")
        lines += [f"• {s.code} {s.name}" for s in items]
    lines.append("\n" + SEARCH_HOW)
    return Result.text("\n".join(lines))


COMMANDS = [
    Command(("กลุ่มงาน", "รายชื่อกลุ่มงาน", "กลุ่มงานทั้งหมด"), list_groups, bare_in_group=False),
    Command(("ค้นหาโรงเรียน",), search_schools),
    Command(("รายชื่อโรงเรียน",), list_schools),
]
