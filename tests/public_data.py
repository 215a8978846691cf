"""A small demo-like province for the public page tests, at a fixed "now" (Friday 18 April 2025, 10:00)."""
from dataclasses import dataclass
from datetime import datetime

from calendar_app import clock
from calendar_app.clock import to_utc
from calendar_app.events.models import Activity
from calendar_app.events.tagging import retag
from calendar_app.models import Area, Institution
from tests import factories as f

NOW_LOCAL = datetime(2025, 4, 18, 10, 0)


def freeze(monkeypatch, local: datetime = NOW_LOCAL) -> None:
    """Make the app's clock say `local` (Asia/Ho_Chi_Minh)."""
    monkeypatch.setattr(clock, "utcnow", lambda: to_utc(local))


@dataclass
class Town:
    province: Area
    viet_tri: Area
    gia_cam: Area
    doan_hung: Area
    library: Institution
    centre: Institution
    district_library: Institution
    reading: Activity
    talk: Activity
    poetry_club: Activity
    draft: Activity
    concert: Activity
    fair: Activity
    webinar: Activity


def build_town(db) -> Town:
    province = f.area("25", "Tỉnh Phú Thọ", level="province")
    viet_tri = f.area("227", "Thành phố Việt Trì", parent=province)
    gia_cam = f.area("07900", "Phường Gia Cẩm", level="commune", parent=viet_tri)
    doan_hung = f.area("230", "Huyện Đoan Hùng", parent=province)
    library = f.institution("thu-vien-tinh", viet_tri, "library_provincial", name="Thư viện tỉnh Phú Thọ")
    library.latitude, library.longitude, library.address = 21.3227, 105.4019, "Đường Trần Phú, Việt Trì"
    library.contact_phone = "0210 3846 123"
    centre = f.institution("nvh-gia-cam", gia_cam, "culture_centre_commune", name="Nhà văn hóa Gia Cẩm")
    district_library = f.institution("thu-vien-doan-hung", doan_hung, name="Thư viện huyện Đoan Hùng")
    reading = f.activity(library, "Đọc sách cùng thiếu nhi", "2025-04-21T09:00", categories=("reading",),
                         audiences=("children",), location="Phòng đọc thiếu nhi",
                         description="**Vui đọc** cùng các bạn nhỏ.\n\n- Kể chuyện\n- Vẽ tranh")
    talk = f.activity(centre, "Tọa đàm về di sản", "2025-04-22T14:00", categories=("talk", "heritage"),
                      audiences=("everyone",))
    poetry_club = f.activity(district_library, "Câu lạc bộ Thơ", "2025-04-19T08:00", rrule="FREQ=WEEKLY;COUNT=6",
                             categories=("club", "reading"), audiences=("elderly",))
    by_start = {o.original_start: o for o in poetry_club.occurrences}
    cancelled = by_start[to_utc(datetime(2025, 4, 26, 8, 0))]
    cancelled.status, cancelled.overridden = "cancelled", True
    moved = by_start[to_utc(datetime(2025, 5, 3, 8, 0))]
    moved.starts_at, moved.ends_at, moved.overridden = (
        to_utc(datetime(2025, 5, 4, 8, 0)), to_utc(datetime(2025, 5, 4, 10, 0)), True)
    draft = f.activity(library, "Bản nháp bí mật", "2025-04-21T15:00", status="draft")
    concert = f.activity(centre, "Đêm nhạc dân gian", "2025-04-20T19:30", status="cancelled",
                         categories=("performance",))
    fair = f.all_day_activity(library, "Hội sách mùa xuân", "2025-04-23", "2025-04-25",
                              categories=("festival", "reading"))
    webinar = f.activity(library, "Kỹ năng số trực tuyến", "2025-05-06T20:00", categories=("digital_skills",),
                         audiences=("adults",), online_url="https://meet.example/ky-nang-so")
    for activity in (reading, talk, poetry_club, draft, concert, fair, webinar):
        retag(activity)
    db.session.commit()
    return Town(province, viet_tri, gia_cam, doan_hung, library, centre, district_library, reading, talk,
                poetry_club, draft, concert, fair, webinar)


def titles_in(html: str, town: Town) -> set[str]:
    """Which of the town's activity titles a page shows."""
    activities = (town.reading, town.talk, town.poetry_club, town.draft, town.concert, town.fair, town.webinar)
    return {a.title for a in activities if a.title in html}


