"""The working-day calendar: weekends, Thai public holidays from the `holidays` package (substitution
days included), and the office's own edits, which survive the package (flask holidays)."""
from datetime import date, datetime, timezone

import pytest

from handlers.core.workdays import WorkCalendar, office_calendar, public_holidays
from storage import get_storage, holidays

CAL = WorkCalendar()


@pytest.mark.parametrize("day, off", [
    (date(2027, 4, 13), "วันสงกรานต์"),          # Songkran, Tuesday
    (date(2027, 2, 22), "ชดเชยวันมาฆบูชา"),        # a substitution day, Monday
    (date(2027, 4, 10), "วันเสาร์"), (date(2027, 4, 11), "วันอาทิตย์"),
    (date(2027, 4, 12), None), (date(2027, 4, 16), None),
])
def test_days_off_come_from_weekends_and_the_thai_public_holidays(day, off):
    reason = CAL.day_off(day)
    assert (reason is None) == (off is None)
    if off:
        assert off in reason


def test_a_reminder_day_moves_to_the_working_day_before():
    assert CAL.on_or_before(date(2027, 4, 15)) == date(2027, 4, 12)  # Songkran 13–15 → Monday
    assert CAL.on_or_before(date(2027, 4, 11)) == date(2027, 4, 9)   # Sunday → Friday
    assert CAL.on_or_before(date(2027, 4, 16)) == date(2027, 4, 16)


def test_working_days_are_counted_over_weekends_and_holidays():
    assert CAL.add_working_days(date(2027, 4, 9), 1) == date(2027, 4, 12)   # Friday + 1 → Monday
    assert CAL.add_working_days(date(2027, 4, 12), 1) == date(2027, 4, 16)  # over Songkran
    assert CAL.add_working_days(date(2027, 4, 10), 0) == date(2027, 4, 12)  # a Saturday case starts Monday
    assert CAL.working_days_between(date(2027, 4, 9), date(2027, 4, 16)) == 2
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2027, 4, 9), -1)


def test_the_offices_edits_win_over_the_package(app):
    storage = get_storage(app)
    with storage.Session.begin() as session:
        holidays.set_day(session, date(2027, 4, 16), True, "วันหยุดพิเศษตามมติคณะรัฐมนตรี", "test", _now())
        holidays.set_day(session, date(2027, 5, 4), False, "วันฉัตรมงคล", "test", _now())
    with storage.Session() as session:
        cal = office_calendar(session)
    assert cal.day_off(date(2027, 4, 16)) == "วันหยุดพิเศษตามมติคณะรัฐมนตรี"
    assert cal.is_working_day(date(2027, 5, 4)) and date(2027, 5, 4) in public_holidays(2027)
    assert cal.on_or_before(date(2027, 4, 16)) == date(2027, 4, 12)


def test_flask_holidays_add_remove_and_list_in_buddhist_era(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["holidays", "add", "2570-04-16", "วันหยุดพิเศษ"])
    assert out.exit_code == 0 and "16 เม.ย. 2570" in out.output
    listed = runner.invoke(args=["holidays", "list", "--year", "2570"]).output
    assert "16 เม.ย. 2570  วันหยุดพิเศษ (office)" in listed and "13 เม.ย. 2570  วันสงกรานต์" in listed
    assert "added day off is removed" in runner.invoke(args=["holidays", "remove", "2027-04-16"]).output
    worked = runner.invoke(args=["holidays", "remove", "2027-05-04"]).output
    assert "is now a working day" in worked
    assert "working day: วันฉัตรมงคล (office)" in runner.invoke(args=["holidays", "list", "--year", "2027"]).output
    bad = runner.invoke(args=["holidays", "add", "16/4/2570", "x"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def _now() -> datetime:
    return datetime.now(timezone.utc)
