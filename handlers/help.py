"""Greetings, the help menu, and the introductions on follow and join."""
from __future__ import annotations

from content.thai import loose
from handlers.core import policy, postback
from handlers.core.words import is_only_particles, plain
from handlers.core.types import Button, Ctx, MessageAction, PostbackAction, Result

HELP = (
    "ถามเรื่องมาตรฐานสำนักงานเขตพื้นที่การศึกษาได้เลยค่ะ เช่น\n"
    "• พิมพ์รหัส: \"ตบช. 2.1\", \"เกณฑ์ 1.1.5\", \"มฐ.3\", \"หมวด 2\"\n"
    "• ถามเป็นประโยค: \"ใครรับผิดชอบการตรวจประเมินภายใน\", \"เกณฑ์เรื่องเครือข่ายต้องมีหลักฐานอะไรบ้าง\"\n"
    "• ดูทั้งหมดทีละชั้น: มาตรฐาน → ตัวบ่งชี้ → เกณฑ์การประเมิน\n"
    "ในกลุ่มไลน์ เรียกบอทด้วยการแท็ก หรือขึ้นต้นข้อความว่า \"บอท\" ค่ะ"
)
WELCOME = ("สวัสดีค่ะ ยินดีต้อนรับ 🙏 บอทนี้ช่วยค้นมาตรฐาน ตัวบ่งชี้ และเกณฑ์การประเมินของสำนักงานเขตพื้นที่การศึกษา "
           "บอกได้ว่าแต่ละเกณฑ์ต้องทำอะไร วัดอย่างไร ใครรับผิดชอบ และใช้ร่องรอยหลักฐานอะไร\n\n" + HELP)
JOIN = ("สวัสดีทุกคนค่ะ 🙏 บอทมาตรฐานสำนักงานเขตพื้นที่การศึกษามาแล้วค่ะ แท็กบอทหรือพิมพ์ \"บอท\" ตามด้วยคำถาม "
        "เช่น \"บอท ตบช. 2.1\" หรือ \"บอท ใครรับผิดชอบการตรวจประเมินภายใน\" พิมพ์ \"บอท เมนู\" เพื่อดูวิธีใช้ค่ะ")
THANKS = "ยินดีค่ะ 😊 มีอะไรถามเพิ่มพิมพ์มาได้เลยนะคะ"
STICKER = "ได้รับสติกเกอร์แล้วค่ะ 😊 ถ้าอยากค้นมาตรฐาน พิมพ์คำถามหรือรหัส เช่น \"ตบช. 2.1\" ได้เลยค่ะ"
MEDIA = "ตอนนี้บอทอ่านได้เฉพาะข้อความตัวอักษรค่ะ ลองพิมพ์คำถามหรือรหัส เช่น \"เกณฑ์ 1.1.5\" นะคะ"

HELP_WORDS = {loose(w) for w in ("ช่วยเหลือ", "เมนู", "วิธีใช้", "help", "menu", "ใช้ยังไง", "ทำอะไรได้บ้าง",
                                 "ทำอะไรได้", "เริ่มต้น", "start", "?")}
GREETINGS = tuple(loose(w) for w in ("สวัสดี", "หวัดดี", "ดีครับ", "ดีค่ะ", "ดีคะ", "hello", "hi", "hey",
                                     "อรุณสวัสดิ์", "ทักทาย", "ฮัลโหล", "หวัดดีจ้า"))
# thanks when the text starts with one of these ("ขอบคุณมากค่ะ"); bare particles ("ครับ") are polite tails
THANK_WORDS = tuple(loose(w) for w in ("ขอบคุณ", "ขอบใจ", "thank", "thx", "โอเค", "รับทราบ", "ได้เลย", "เยี่ยม",
                                       "555"))
OK_WORDS = {loose(w) for w in ("ok", "okay", "โอเค")}


def menu_buttons() -> list[Button]:
    """Quick replies of the help menu."""
    return [
        Button("ดูมาตรฐานทั้งหมด", PostbackAction(postback.encode("browse"), "ดูมาตรฐานทั้งหมด")),
        Button("ตบช. 2.1", MessageAction("ตบช. 2.1")),
        Button("ใครรับผิดชอบ", MessageAction("ใครรับผิดชอบการตรวจประเมินภายใน")),
        Button("หลักฐาน KM", MessageAction("การจัดการความรู้ต้องมีหลักฐานอะไรบ้าง")),
        Button("หมวด PMQA", PostbackAction(postback.encode("pmqa"), "หมวด PMQA")),
    ]


def is_help(text: str) -> bool:
    """True when the whole of `text` asks for the menu ("เมนู", "ช่วยเหลือค่ะ")."""
    return plain(text) in HELP_WORDS


def kind_of_small_talk(text: str) -> str | None:
    """"help", "greeting" or "thanks" when `text` is one of those (not a question), else None."""
    raw = loose(text)
    if is_only_particles(text):
        return "thanks" if raw else "help"
    q = plain(text)
    if q in HELP_WORDS:
        return "help"
    if not any("\u0e00" <= ch <= "\u0e7f" or ch.isalnum() for ch in q):
        return "thanks"  # emoji or punctuation only
    if any(q.startswith(g) for g in GREETINGS) and len(q) <= 24:
        return "greeting"
    if q in OK_WORDS or (any(q.startswith(w) for w in THANK_WORDS) and len(q) <= 20):
        return "thanks"
    return None


FOR_GUESTS = "• ลงทะเบียนเป็นบุคลากรสำนักงานหรือสถานศึกษา: พิมพ์ \"ลงทะเบียน\""
FOR_MEMBERS = "• ดูสิทธิ์และกลุ่มงานของคุณ: พิมพ์ \"ฉันคือใคร\""
# what the menu offers for each power, shown only to those `policy.allowed` lets do it
POWERS = (
    ("registration.decide", "• \"คำขอลงทะเบียน\" \"สมาชิก\" \"สร้างคำเชิญ\" จัดการสมาชิก", "คำขอลงทะเบียน"),
    ("broadcast.send", "• \"ประกาศ\" ส่งประกาศ, \"ประกาศที่ผ่านมา\" \"ผลรับทราบ\" ดูผล", "ประกาศ"),
    ("group.bind", "• \"บอท ตั้งค่ากลุ่ม\" (พิมพ์ในกลุ่มไลน์) ผูกกลุ่มไลน์กับกลุ่มงาน", None),
    ("unanswered.view", "• \"คำถามที่ตอบไม่ได้\" ดูคำถามที่บอทยังตอบไม่ได้", None),
    ("evidence.report", "• \"รายงาน 1.1.5 มีหลักฐานแล้ว\" รายงานสถานะหลักฐาน, \"ความคืบหน้า\" \"งานค้าง\" "
                        "\"ปฏิทิน\" ดูความคืบหน้าและรอบการรายงาน", "งานค้าง"),
    ("reminders.self", "• \"เตือนฉัน\" รับการเตือนงานค้างของกลุ่มคุณในแชตนี้, \"ไม่ต้องเตือน\" เลิกรับ", None),
    ("rounds.manage", "• \"ตั้งรอบ\" \"เปิดรอบ\" \"ปิดรอบ\" ตั้งรอบการรายงาน", None),
    ("reminders.manage", "• \"ตั้งค่าการเตือน\" กำหนดวันเตือนก่อนครบกำหนดของแต่ละประเภทรอบ", None),
    ("holidays.manage", "• \"วันหยุด\" ดูวันหยุดราชการ, \"เพิ่มวันหยุด\" \"ลบวันหยุด\" แก้ปฏิทินวันหยุดของสำนักงาน", None),
    ("complaints.stats", "• \"สถิติเรื่องร้องเรียน\" (เดือนนี้, 6 เดือน, 12 เดือน, ปีงบประมาณ) ดูสถิติเรื่องร้องเรียน", None),
    ("complaints.handle", "• \"เรื่องร้องเรียน\" ดูเรื่องที่เปิดอยู่ (เกินกำหนดขึ้นก่อน) รับเรื่อง ส่งต่อ ตอบผู้แจ้ง "
                          "และปิดเรื่อง", "เรื่องร้องเรียน"),
)
MID_FLOW = "(รายการที่ทำค้างไว้ยังอยู่ พิมพ์ต่อได้เลย หรือพิมพ์ \"ยกเลิก\" เพื่อหยุดค่ะ)"


def help_menu(ctx: Ctx, lead: str = "", mid_flow: bool = False) -> Result:
    """The help text and quick replies for this person. In a 1:1 chat it adds what their role can do
    (guests: register; everyone: their profile; each power `handlers.core.policy` grants them, and no
    other); a group chat gets the standards help only. `lead` goes first; `mid_flow` reminds them an
    unfinished step is waiting."""
    parts, buttons = [lead + HELP], menu_buttons()
    if ctx.inp.chat_kind == "user" and ctx.inp.user_id:
        powers = [(line, word) for action, line, word in POWERS if policy.allowed(ctx.actor, action)]
        if ctx.actor.role == policy.GUEST:
            parts.append(FOR_GUESTS + "\n" + FOR_MEMBERS)
            buttons = [Button("ลงทะเบียน", MessageAction("ลงทะเบียน"))] + buttons
        else:
            parts.append(FOR_MEMBERS)
        if powers:
            parts.append("สิ่งที่คุณทำได้เพิ่มเติม:\n" + "\n".join(line for line, _w in powers))
            buttons = [Button(w, MessageAction(w)) for _l, w in powers if w] + buttons
        buttons.append(Button("ฉันคือใคร", MessageAction("ฉันคือใคร")))
    if mid_flow:
        parts.append(MID_FLOW)
    return Result.text("\n\n".join(parts), buttons)


def greeting(ctx: Ctx) -> Result:
    return help_menu(ctx, "สวัสดีค่ะ 🙏 ")


def thanks(ctx: Ctx) -> Result:
    return Result.text(THANKS, menu_buttons()[:3])


def welcome(ctx: Ctx) -> Result:
    return Result.text(WELCOME, menu_buttons())


def join(ctx: Ctx) -> Result:
    return Result.text(JOIN, menu_buttons()[:3])
