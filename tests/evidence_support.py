"""An `OfficeProgress` built by hand, every status and rubric case in a few items: the data the chart,
the SAR writers and the export commands are tested with, so their output can be checked exactly."""
from __future__ import annotations

from datetime import datetime, timezone

from handlers.evidence.progress import (HAS_EVIDENCE, IN_PROGRESS, NEEDS_FIX, NOT_STARTED, VERIFIED,
                                        EvidenceFile, IndicatorProgress, ItemProgress, Level, OfficeProgress,
                                        RoundInfo, StandardProgress)

AS_OF = datetime(2027, 3, 5, 3, 0, tzinfo=timezone.utc)  # 5 มี.ค. 2570 10:00 น. in Bangkok
DUE = datetime(2027, 3, 31, 9, 30, tzinfo=timezone.utc)
LINK = "https://drive.example.go.th/sar/1.1.1/plan.pdf"


def sample_progress(office: str = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ เขต 1") -> OfficeProgress:
    """Two standards: 1 with a rubric (level 3 of 5, one item to the next) and one without a rubric;
    2 with an incomplete rubric (no level 5 in the source); one needs-fix item with a reason and a file."""
    ind11 = IndicatorProgress("1.1", "การบริหารจัดการที่มีประสิทธิภาพ", (
        ItemProgress("criterion:1.1.1", "1.1.1", "มีแผนปฏิบัติการประจำปีที่สอดคล้องกับนโยบาย", VERIFIED,
                     ("policy",), ("admin",), note="ผ่านการประชุมคณะกรรมการแล้ว", links=(LINK,),
                     updated_by="สมหญิง ใจดี", updated_at=AS_OF),
        ItemProgress("criterion:1.1.2", "1.1.2", "ติดตามผลการดำเนินงานตามแผน", HAS_EVIDENCE, ("policy",), (),
                     files=(EvidenceFile("รายงานติดตาม.pdf", "1.1.2/abc.pdf", 120_000, "application/pdf"),)),
        ItemProgress("criterion:1.1.3", "1.1.3", "เผยแพร่ผลการดำเนินงานต่อสาธารณะ", IN_PROGRESS, ("ict",), ()),
        ItemProgress("criterion:1.1.4", "1.1.4", "ปรับปรุงแผนจากผลการประเมิน", NOT_STARTED, ("all",), ()),
    ), Level(3, 5, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 4"))
    ind12 = IndicatorProgress("1.2", "การคุ้มครองสิทธิ์ของบุคลากร", (
        ItemProgress("criterion:1.2.1", "1.2.1", "ประกาศแนวปฏิบัติที่คุ้มครองสิทธิ์ของบุคลากร", NEEDS_FIX,
                     ("personnel",), ("legal",), reason="ประกาศยังไม่ได้ลงนาม", note="แก้ไขภายในสัปดาห์นี้",
                     files=(EvidenceFile("ประกาศ.docx", "1.2.1/x.docx", 30_000, "application/msword"),)),
    ), None, "ไม่มีเกณฑ์ระดับคุณภาพในเอกสารต้นทาง")
    ind21 = IndicatorProgress("2.1", "ตัวบ่งชี้ที่ 2.1 การนิเทศ ติดตามและประเมินผล", (
        ItemProgress("consideration:2.1.1", "2.1.1", "มีระบบนิเทศที่ชัดเจน", HAS_EVIDENCE, ("supervision",), ()),
        ItemProgress("consideration:2.1.2", "2.1.2", "ติดตามผลการนิเทศทุกภาคเรียน", NOT_STARTED, ("supervision",),
                     ("teacherdev",)),
    ), Level(1, 5, "ขาดหลักฐานอีก 1 ประเด็นเพื่อขึ้นระดับ 2", gap="เอกสารต้นทางไม่มีเกณฑ์ระดับ 5"))
    return OfficeProgress(
        round=RoundInfo(7, "SAR ปีงบประมาณ 2570", "sar", 2570, DUE, "open"),
        standards=(StandardProgress("1", "มาตรฐานที่ 1 การบริหารจัดการองค์กร", (ind11, ind12)),
                   StandardProgress("2", "มาตรฐานที่ 2 การส่งเสริมคุณภาพการศึกษา", (ind21,)),
                   StandardProgress("3", "มาตรฐานที่ 3 ผลการดำเนินงาน", (), gap="เอกสารต้นทางยังไม่ระบุตัวบ่งชี้")),
        office_name=office, as_of=AS_OF)
