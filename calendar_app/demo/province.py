"""The demo province: Phú Thọ before the 1 July 2025 reform (plain data, loaded by loader.py).

District codes are the official ones. The commune codes follow the national five-digit form but were not
checked against the official list: they are illustrative, like the demo's institutions and figures.
"""
from datetime import date

PROVINCE = ("25", "Tỉnh Phú Thọ")
PROVINCE_VALID_FROM = date(1997, 1, 1)

DISTRICTS = [
    ("227", "Thành phố Việt Trì"),
    ("228", "Thị xã Phú Thọ"),
    ("230", "Huyện Đoan Hùng"),
    ("231", "Huyện Hạ Hòa"),
    ("232", "Huyện Thanh Ba"),
    ("233", "Huyện Phù Ninh"),
    ("234", "Huyện Yên Lập"),
    ("235", "Huyện Cẩm Khê"),
    ("236", "Huyện Tam Nông"),
    ("237", "Huyện Lâm Thao"),
    ("238", "Huyện Thanh Sơn"),
    ("239", "Huyện Thanh Thủy"),
    ("240", "Huyện Tân Sơn"),
]

COMMUNES = [
    # (code, name, district code)
    ("07900", "Phường Gia Cẩm", "227"),
    ("07927", "Phường Thanh Miếu", "227"),
    ("07954", "Xã Hy Cương", "227"),
    ("08023", "Phường Hùng Vương", "228"),
    ("08104", "Xã Chân Mộng", "230"),
    ("08467", "Xã Xuân Huy", "237"),
    ("08488", "Xã Hợp Hải", "237"),
    ("08716", "Xã Tất Thắng", "238"),
]

# (slug, name, category, area code, address, lat, lon, contact name, e-mail, phone)
INSTITUTIONS = [
    ("thu-vien-tinh-phu-tho", "Thư viện tỉnh Phú Thọ", "library_provincial", "227",
     "Đường Trần Phú, phường Gia Cẩm, Việt Trì", 21.3227, 105.4019, "Phòng Phục vụ bạn đọc",
     "thuvien@phutho.example", "0210 3846 123"),
    ("bao-tang-hung-vuong", "Bảo tàng Hùng Vương", "museum", "227",
     "Đại lộ Hùng Vương, phường Gia Cẩm, Việt Trì", 21.3210, 105.3990, "Phòng Giáo dục",
     "baotang@phutho.example", "0210 3846 456"),
    ("bao-tang-den-hung", "Bảo tàng Khu di tích lịch sử Đền Hùng", "museum", "07954",
     "Khu di tích lịch sử Đền Hùng, xã Hy Cương", 21.3700, 105.3240, "Phòng Thuyết minh",
     "dentung@phutho.example", "0210 3860 026"),
    ("nha-truyen-thong-thanh-son", "Nhà truyền thống huyện Thanh Sơn", "museum_memorial", "238",
     "Thị trấn Thanh Sơn", None, None, "Ban quản lý", "ntt.thanhson@phutho.example", "0210 3873 111"),
    ("nha-luu-niem-doan-hung", "Nhà lưu niệm Chiến khu Đoan Hùng", "museum_memorial", "230",
     "Thị trấn Đoan Hùng", None, None, "Ban quản lý", "nll.doanhung@phutho.example", "0210 3881 222"),
    ("trung-tam-van-hoa-tinh", "Trung tâm Văn hóa – Nghệ thuật tỉnh Phú Thọ", "culture_centre_provincial", "227",
     "Phường Thanh Miếu, Việt Trì", 21.3050, 105.4210, "Phòng Hoạt động", "ttvh@phutho.example",
     "0210 3847 777"),
    ("thu-vien-viet-tri", "Thư viện thành phố Việt Trì", "library_district", "227",
     "Phường Thanh Miếu, Việt Trì", None, None, "Bộ phận thư viện", "tv.viettri@phutho.example", "0210 3850 001"),
    ("thu-vien-thi-xa-phu-tho", "Thư viện thị xã Phú Thọ", "library_district", "228",
     "Phường Hùng Vương, thị xã Phú Thọ", None, None, "Bộ phận thư viện", "tv.phutho@phutho.example",
     "0210 3820 002"),
    ("thu-vien-doan-hung", "Thư viện huyện Đoan Hùng", "library_district", "230",
     "Thị trấn Đoan Hùng", None, None, "Bộ phận thư viện", "tv.doanhung@phutho.example", "0210 3881 003"),
    ("thu-vien-ha-hoa", "Thư viện huyện Hạ Hòa", "library_district", "231",
     "Thị trấn Hạ Hòa", None, None, "Bộ phận thư viện", "tv.hahoa@phutho.example", "0210 3883 004"),
    ("thu-vien-thanh-ba", "Thư viện huyện Thanh Ba", "library_district", "232",
     "Thị trấn Thanh Ba", None, None, "Bộ phận thư viện", "tv.thanhba@phutho.example", "0210 3885 005"),
    ("thu-vien-lam-thao", "Thư viện huyện Lâm Thao", "library_district", "237",
     "Thị trấn Lâm Thao", None, None, "Bộ phận thư viện", "tv.lamthao@phutho.example", "0210 3825 006"),
    ("thu-vien-thanh-son", "Thư viện huyện Thanh Sơn", "library_district", "238",
     "Thị trấn Thanh Sơn", None, None, "Bộ phận thư viện", "tv.thanhson@phutho.example", "0210 3873 007"),
    ("thu-vien-tam-nong", "Thư viện huyện Tam Nông", "library_district", "236",
     "Thị trấn Hưng Hóa", None, None, "Bộ phận thư viện", "tv.tamnong@phutho.example", "0210 3879 008"),
    ("ttvh-cam-khe", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Cẩm Khê",
     "culture_centre_district", "235", "Thị trấn Cẩm Khê", None, None, "Phòng Nghiệp vụ",
     "ttvh.camkhe@phutho.example", "0210 3886 101"),
    ("ttvh-phu-ninh", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Phù Ninh",
     "culture_centre_district", "233", "Thị trấn Phong Châu", None, None, "Phòng Nghiệp vụ",
     "ttvh.phuninh@phutho.example", "0210 3829 102"),
    ("ttvh-yen-lap", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Yên Lập",
     "culture_centre_district", "234", "Thị trấn Yên Lập", None, None, "Phòng Nghiệp vụ",
     "ttvh.yenlap@phutho.example", "0210 3870 103"),
    ("ttvh-thanh-thuy", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Thanh Thủy",
     "culture_centre_district", "239", "Thị trấn Thanh Thủy", None, None, "Phòng Nghiệp vụ",
     "ttvh.thanhthuy@phutho.example", "0210 3877 104"),
    ("ttvh-tan-son", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Tân Sơn",
     "culture_centre_district", "240", "Xã Tân Phú", None, None, "Phòng Nghiệp vụ",
     "ttvh.tanson@phutho.example", "0210 3876 105"),
    ("ttvh-doan-hung", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Đoan Hùng",
     "culture_centre_district", "230", "Thị trấn Đoan Hùng", None, None, "Phòng Nghiệp vụ",
     "ttvh.doanhung@phutho.example", "0210 3881 106"),
    ("nvh-gia-cam", "Nhà văn hóa và Trung tâm học tập cộng đồng phường Gia Cẩm", "culture_centre_commune",
     "07900", "Phường Gia Cẩm", None, None, "Ban chủ nhiệm", "nvh.giacam@phutho.example", "0912 000 201"),
    ("nvh-hy-cuong", "Trung tâm Văn hóa – Học tập cộng đồng xã Hy Cương", "culture_centre_commune",
     "07954", "Xã Hy Cương", None, None, "Ban chủ nhiệm", "nvh.hycuong@phutho.example", "0912 000 202"),
    ("nvh-chan-mong", "Trung tâm Văn hóa – Học tập cộng đồng xã Chân Mộng", "culture_centre_commune",
     "08104", "Xã Chân Mộng", None, None, "Ban chủ nhiệm", "nvh.chanmong@phutho.example", "0912 000 203"),
    ("nvh-xuan-huy", "Trung tâm Văn hóa – Học tập cộng đồng xã Xuân Huy", "culture_centre_commune",
     "08467", "Xã Xuân Huy", None, None, "Ban chủ nhiệm", "nvh.xuanhuy@phutho.example", "0912 000 204"),
    ("nvh-tat-thang", "Trung tâm Văn hóa – Học tập cộng đồng xã Tất Thắng", "culture_centre_commune",
     "08716", "Xã Tất Thắng", None, None, "Ban chủ nhiệm", "nvh.tatthang@phutho.example", "0912 000 205"),
    ("thu-vien-xa-hop-hai", "Thư viện xã Hợp Hải", "library_commune", "08488",
     "Xã Hợp Hải", None, None, "Cán bộ văn hóa xã", "tv.hophai@phutho.example", "0912 000 301"),
    ("thu-vien-phuong-thanh-mieu", "Thư viện phường Thanh Miếu", "library_commune", "07927",
     "Phường Thanh Miếu", None, None, "Cán bộ văn hóa phường", "tv.thanhmieu@phutho.example", "0912 000 302"),
    ("thu-vien-dai-hoc-hung-vuong", "Thư viện Trường Đại học Hùng Vương", "library_university", "227",
     "Phường Nông Trang, Việt Trì", 21.3300, 105.3900, "Trung tâm Thông tin – Thư viện",
     "thuvien@dhhv.example", "0210 3993 369"),
    ("thu-vien-bo-chi-huy-quan-su", "Thư viện Bộ Chỉ huy Quân sự tỉnh Phú Thọ", "library_armed_forces", "227",
     "Phường Gia Cẩm, Việt Trì", None, None, "Phòng Chính trị", "thuvien.bchqs@phutho.example",
     "0210 3846 999"),
    ("thu-vien-thpt-chuyen-hung-vuong", "Thư viện Trường THPT chuyên Hùng Vương", "library_school", "227",
     "Phường Gia Cẩm, Việt Trì", None, None, "Cán bộ thư viện", "thuvien@thpt-chv.example",
     "0210 3846 555"),
    ("thu-vien-thcs-lam-thao", "Thư viện Trường THCS Lâm Thao", "library_school", "237",
     "Thị trấn Lâm Thao", None, None, "Cán bộ thư viện", "thuvien@thcs-lt.example", "0210 3825 556"),
    ("thu-vien-cong-dong-xuan-huy", "Thư viện cộng đồng xã Xuân Huy", "library_community", "08467",
     "Xã Xuân Huy", None, None, "Ban quản lý", "tvcd.xuanhuy@phutho.example", "0912 000 401"),
    ("thu-vien-truong-chinh-tri", "Thư viện Trường Chính trị tỉnh Phú Thọ", "library_specialized", "227",
     "Phường Tân Dân, Việt Trì", None, None, "Cán bộ thư viện", "thuvien@tct.example", "0210 3846 888"),
]

# one account per role: (e-mail, role, scope, display name)
ACCOUNTS = [
    ("admin@demo.example", "admin", None, "Quản trị hệ thống"),
    ("officer@demo.example", "officer", "25", "Sở Văn hóa, Thể thao và Du lịch"),
    ("officer.viettri@demo.example", "officer", "227", "Phòng Văn hóa – Thông tin Việt Trì"),
    ("editor@demo.example", "editor", "thu-vien-tinh-phu-tho", "Biên tập viên Thư viện tỉnh"),
    ("editor.museum@demo.example", "editor", "bao-tang-hung-vuong", "Biên tập viên Bảo tàng Hùng Vương"),
]

YEARS = (2024, 2025, 2026, 2027)

# per observance: the activities held for it each year, rotating over these
# (institution, title, categories, audiences, local start hour, hours, online)
OBSERVANCE_ACTIVITIES = {
    "book-reading-day": [
        ("thu-vien-tinh-phu-tho", "Ngày hội Đọc sách – Văn hóa đọc", ["reading", "festival"],
         ["everyone"], 8, 4, False),
        ("thu-vien-viet-tri", "Thi kể chuyện theo sách cho thiếu nhi", ["reading"], ["children", "pupils"],
         14, 2, False),
        ("thu-vien-xa-hop-hai", "Tủ sách lưu động về xã", ["reading"], ["families", "elderly"], 8, 3, False),
        ("thu-vien-thpt-chuyen-hung-vuong", "Đại sứ văn hóa đọc học đường", ["reading", "talk"], ["pupils"],
         9, 2, False),
    ],
    "world-book-day": [
        ("thu-vien-dai-hoc-hung-vuong", "Tọa đàm: Bản quyền và sách điện tử", ["talk", "digital_skills"],
         ["students"], 14, 2, True),
        ("thu-vien-thi-xa-phu-tho", "Triển lãm sách quý", ["exhibition", "reading"], ["everyone"], 8, 8, False),
        ("thu-vien-doan-hung", "Đọc sách cùng con", ["reading"], ["families", "children"], 15, 2, False),
        ("thu-vien-bo-chi-huy-quan-su", "Giới thiệu sách truyền thống Quân đội", ["reading", "talk"],
         ["adults"], 8, 2, False),
    ],
    "museum-day": [
        ("bao-tang-hung-vuong", "Ngày Quốc tế Bảo tàng: mở cửa miễn phí", ["heritage", "exhibition"],
         ["everyone"], 8, 9, False),
        ("bao-tang-den-hung", "Thuyết minh chuyên đề: Hiện vật thời Hùng Vương", ["heritage", "talk"],
         ["pupils", "students"], 9, 2, True),
        ("nha-truyen-thong-thanh-son", "Kể chuyện truyền thống quê hương", ["heritage", "talk"],
         ["youth"], 8, 2, False),
        ("nha-luu-niem-doan-hung", "Trưng bày ảnh tư liệu Chiến khu", ["exhibition", "heritage"],
         ["everyone"], 8, 8, False),
    ],
    "heritage-day": [
        ("bao-tang-hung-vuong", "Trình diễn Hát Xoan – di sản văn hóa", ["performance", "heritage"],
         ["everyone"], 19, 2, False),
        ("ttvh-phu-ninh", "Liên hoan văn nghệ quần chúng mừng Ngày Di sản", ["performance", "festival"],
         ["adults", "elderly"], 19, 3, False),
        ("trung-tam-van-hoa-tinh", "Triển lãm ảnh: Di sản Phú Thọ", ["exhibition", "heritage"],
         ["everyone"], 8, 9, False),
        ("ttvh-yen-lap", "Ngày hội văn hóa các dân tộc Yên Lập", ["festival", "heritage"],
         ["ethnic_minorities", "everyone"], 8, 6, False),
    ],
    "lifelong-learning-week": [
        ("thu-vien-tinh-phu-tho", "Khai mạc Tuần lễ hưởng ứng học tập suốt đời", ["festival", "reading"],
         ["everyone"], 8, 3, True),
        ("ttvh-cam-khe", "Hội thi tìm hiểu học tập suốt đời", ["talk", "festival"], ["youth", "adults"],
         14, 3, False),
        ("thu-vien-lam-thao", "Giờ đọc sách gia đình", ["reading"], ["families"], 15, 2, False),
        ("ttvh-thanh-thuy", "Hướng dẫn kỹ năng số cho người dân", ["digital_skills", "workshop"],
         ["adults", "elderly"], 8, 3, False),
        ("nvh-xuan-huy", "Chuyên đề: Học tập suốt đời ở cộng đồng", ["talk"], ["adults"], 19, 2, False),
    ],
    "digital-transformation-day": [
        ("thu-vien-tinh-phu-tho", "Giới thiệu thư viện số và tra cứu trực tuyến", ["digital_skills", "workshop"],
         ["students", "adults"], 8, 3, True),
        ("thu-vien-ha-hoa", "Tập huấn sử dụng thư viện điện tử", ["digital_skills"], ["pupils"], 14, 2, True),
        ("ttvh-tan-son", "Chuyển đổi số cho thanh niên dân tộc thiểu số", ["digital_skills", "workshop"],
         ["youth", "ethnic_minorities"], 8, 4, False),
        ("thu-vien-truong-chinh-tri", "Khai thác cơ sở dữ liệu chuyên ngành", ["digital_skills"],
         ["adults"], 14, 2, True),
    ],
    "hung-kings": [
        ("bao-tang-den-hung", "Giỗ Tổ Hùng Vương: trưng bày chuyên đề", ["heritage", "exhibition"],
         ["everyone"], 7, 10, False),
        ("bao-tang-hung-vuong", "Tìm hiểu tín ngưỡng thờ cúng Hùng Vương", ["heritage", "talk"],
         ["pupils", "youth"], 9, 2, True),
        ("nvh-hy-cuong", "Hát Xoan phục vụ Giỗ Tổ", ["performance", "heritage"], ["everyone"], 19, 3, False),
        ("ttvh-doan-hung", "Giải thể thao truyền thống mừng Giỗ Tổ", ["sport", "festival"],
         ["youth", "adults"], 7, 5, False),
    ],
}

# recurring clubs and courses:
# (institution, title, categories, audiences, first local start, hours, RRULE, programme, registration, capacity)
RECURRING_ACTIVITIES = [
    ("thu-vien-tinh-phu-tho", "Câu lạc bộ Đọc sách thiếu nhi", ["club", "reading"], ["children"],
     "2024-09-07T08:00", 2, "FREQ=WEEKLY;BYDAY=SA;COUNT=20", None, False, None),
    ("thu-vien-tinh-phu-tho", "Câu lạc bộ Đọc sách thiếu nhi (năm học 2025–2026)", ["club", "reading"],
     ["children"], "2025-09-06T08:00", 2, "FREQ=WEEKLY;BYDAY=SA;COUNT=36", None, False, None),
    ("thu-vien-tinh-phu-tho", "Lớp kỹ năng số cho người cao tuổi", ["course", "digital_skills"], ["elderly"],
     "2024-10-01T14:00", 2, "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8", None, True, 25),
    ("thu-vien-tinh-phu-tho", "Lớp kỹ năng số cho người cao tuổi 2026", ["course", "digital_skills"],
     ["elderly"], "2026-10-01T14:00", 2, "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8", None, True, 25),
    ("thu-vien-dai-hoc-hung-vuong", "Câu lạc bộ Tiếng Anh", ["club"], ["students", "youth"],
     "2025-03-04T17:00", 2, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260630", None, False, None),
    ("bao-tang-hung-vuong", "Chương trình giáo dục: Em yêu lịch sử", ["heritage", "course"], ["pupils"],
     "2024-03-15T09:00", 2, "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=10", "em-yeu-lich-su", False, None),
    ("bao-tang-hung-vuong", "Chương trình giáo dục: Di sản Hùng Vương trong trường học", ["heritage", "course"],
     ["pupils", "students"], "2025-09-20T09:00", 2, "FREQ=MONTHLY;BYDAY=3SA;COUNT=10", "di-san-hoc-duong",
     False, None),
    ("bao-tang-hung-vuong", "Chương trình giáo dục: Khoa học cho em", ["workshop", "course"], ["children"],
     "2026-06-06T09:00", 2, "FREQ=WEEKLY;BYDAY=SA;COUNT=12", "khoa-hoc-cho-em", True, 30),
    ("nvh-hy-cuong", "Câu lạc bộ Hát Xoan Hy Cương", ["club", "performance", "heritage"], ["everyone"],
     "2024-01-07T19:00", 2, "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231", None, False, None),
    ("nvh-gia-cam", "Câu lạc bộ Dân vũ phường Gia Cẩm", ["club", "sport"], ["adults", "elderly"],
     "2025-02-03T18:30", 1, "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=60", None, False, None),
    ("nvh-chan-mong", "Câu lạc bộ Thơ Chân Mộng", ["club", "reading"], ["elderly"],
     "2024-03-01T08:00", 2, "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=30", None, False, None),
    ("ttvh-cam-khe", "Lớp năng khiếu hội họa thiếu nhi", ["course", "workshop"], ["children"],
     "2025-06-02T08:00", 2, "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=16", None, True, 20),
    # the current season, so the calendar has something on every week around today
    ("thu-vien-tinh-phu-tho", "Câu lạc bộ Đọc sách thiếu nhi (năm học 2026–2027)", ["club", "reading"],
     ["children"], "2026-09-05T08:00", 2, "FREQ=WEEKLY;BYDAY=SA;COUNT=40", None, True, 30),
    ("thu-vien-dai-hoc-hung-vuong", "Câu lạc bộ Tiếng Anh 2026–2027", ["club"], ["students", "youth"],
     "2026-09-01T17:00", 2, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629", None, False, None),
    ("nvh-gia-cam", "Câu lạc bộ Dân vũ phường Gia Cẩm 2026–2027", ["club", "sport"], ["adults", "elderly"],
     "2026-09-07T18:30", 1, "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=90", None, False, None),
    ("thu-vien-viet-tri", "Giờ kể chuyện cuối tuần", ["reading"], ["children", "families"],
     "2026-10-04T09:00", 1.5, "FREQ=WEEKLY;BYDAY=SU;COUNT=30", None, False, None),
    ("ttvh-thanh-thuy", "Lớp tin học văn phòng cho phụ nữ", ["course", "digital_skills"], ["adults"],
     "2026-11-03T19:00", 2, "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12", None, True, 20),
]

# a few single activities beyond the observances: (institution, title, categories, audiences,
# local start, local end or None, all_day, status, registration, capacity)
OTHER_ACTIVITIES = [
    ("thu-vien-tinh-phu-tho", "Hội sách cuối năm", ["reading", "festival"], ["everyone"],
     "2026-12-12", "2026-12-13", True, "published", False, None),
    ("thu-vien-tinh-phu-tho", "Tọa đàm: Sách hay cho mùa Tết", ["talk", "reading"], ["adults"],
     "2027-01-16T09:00", "2027-01-16T11:00", False, "published", True, 40),
    ("trung-tam-van-hoa-tinh", "Đêm nhạc dân gian (đã hủy vì mưa bão)", ["performance"], ["everyone"],
     "2025-09-06T19:30", "2025-09-06T21:30", False, "cancelled", False, None),
    ("bao-tang-hung-vuong", "Triển lãm: Cổ vật Văn Lang (bản nháp)", ["exhibition"], ["everyone"],
     "2027-03-01", "2027-03-31", True, "draft", False, None),
    ("ttvh-phu-ninh", "Lớp bơi an toàn cho trẻ em", ["sport", "course"], ["children", "families"],
     "2025-07-07T16:00", "2025-07-07T17:30", False, "published", False, None),
]

#: figures are recorded for occurrences that started before this day (fixed, so a re-run adds nothing)
FIGURES_UNTIL = date(2026, 11, 1)
#: institutions left without activities on purpose, so the dashboard has someone to call
SILENT_INSTITUTIONS = ("thu-vien-thanh-son", "thu-vien-tam-nong")
