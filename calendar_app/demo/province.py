"""The demo's hand-written data: the merged Phú Thọ (25) of the 1 July 2025 reform, formed from the old Phú Thọ
(25), Vĩnh Phúc (26) and Hòa Bình (17). Plain data, read by build.py (which adds the generated institutions and
activities) and loader.py.

Area codes are the official ones (places/official.py). An institution's area is the old unit (commune, or
district for district-level institutions) it stood in before the reform; the reform operation moves it.
Institutions, people, figures, e-mails (.example) and telephone numbers are invented.
"""
from datetime import date

#: the new province the demo fills, and the old provinces that formed it
PROVINCE = "25"
OLD_PROVINCES = ("25", "26", "17")
#: per old province: e-mail domain, telephone area code, short name used in addresses
OLD_PROVINCE_CONTACT = {
    "25": ("phutho.example", "0210"),
    "26": ("vinhphuc.example", "0211"),
    "17": ("hoabinh.example", "0218"),
}

#: the commune that holds a district's offices, where the official lists have no "Thị trấn" (cities and towns)
#: or where the first one is not the seat
DISTRICT_SEATS = {
    "227": "07900",  # Việt Trì: phường Gia Cẩm
    "228": "07942",  # thị xã Phú Thọ: phường Hùng Vương
    "240": "08566",  # Tân Sơn: thị trấn Tân Phú
    "243": "08719",  # Vĩnh Yên: phường Ngô Quyền
    "244": "08737",  # Phúc Yên: phường Hùng Vương
    "248": "08911",  # Tam Đảo: thị trấn Hợp Châu
    "148": "04807",  # Hòa Bình: phường Phương Lâm
    "159": "05392",  # Lạc Thủy: thị trấn Chi Nê
}

# The well-known institutions, written by hand (their slugs appear in the README, tests and links):
# (slug, name, category, official code of the old unit, address, lat, lon, contact, e-mail, phone)
INSTITUTIONS = [
    # --- old Phú Thọ (25)
    ("thu-vien-tinh-phu-tho", "Thư viện tỉnh Phú Thọ", "library_provincial", "07900",
     "Đường Trần Phú, phường Gia Cẩm, Việt Trì", 21.3227, 105.4019, "Phòng Phục vụ bạn đọc",
     "thuvien@phutho.example", "0210 3846 123"),
    ("bao-tang-hung-vuong", "Bảo tàng Hùng Vương", "museum", "07900",
     "Đại lộ Hùng Vương, phường Gia Cẩm, Việt Trì", 21.3210, 105.3990, "Phòng Giáo dục",
     "baotang@phutho.example", "0210 3846 456"),
    ("bao-tang-den-hung", "Bảo tàng Khu di tích lịch sử Đền Hùng", "museum", "08503",
     "Khu di tích lịch sử Đền Hùng, xã Hy Cương, Việt Trì", 21.3700, 105.3240, "Phòng Thuyết minh",
     "denhung@phutho.example", "0210 3860 026"),
    ("trung-tam-van-hoa-tinh", "Trung tâm Văn hóa – Nghệ thuật tỉnh Phú Thọ", "culture_centre_provincial",
     "07909", "Phường Thanh Miếu, Việt Trì", 21.3050, 105.4210, "Phòng Hoạt động", "ttvh@phutho.example",
     "0210 3847 777"),
    ("nha-truyen-thong-thanh-son", "Nhà truyền thống huyện Thanh Sơn", "museum_memorial", "08542",
     "Thị trấn Thanh Sơn, huyện Thanh Sơn", None, None, "Ban quản lý", "ntt.thanhson@phutho.example",
     "0210 3873 111"),
    ("nha-luu-niem-doan-hung", "Nhà lưu niệm Chiến khu Đoan Hùng", "museum_memorial", "07969",
     "Thị trấn Đoan Hùng, huyện Đoan Hùng", 21.6221, 105.1862, "Ban quản lý", "nll.doanhung@phutho.example",
     "0210 3881 222"),
    ("thu-vien-viet-tri", "Thư viện thành phố Việt Trì", "library_district", "227",
     "Phường Thanh Miếu, Việt Trì", 21.3095, 105.4215, "Bộ phận thư viện", "tv.viettri@phutho.example",
     "0210 3850 001"),
    ("thu-vien-thi-xa-phu-tho", "Thư viện thị xã Phú Thọ", "library_district", "228",
     "Phường Hùng Vương, thị xã Phú Thọ", 21.4047, 105.2131, "Bộ phận thư viện", "tv.phutho@phutho.example",
     "0210 3820 002"),
    ("thu-vien-doan-hung", "Thư viện huyện Đoan Hùng", "library_district", "230",
     "Thị trấn Đoan Hùng, huyện Đoan Hùng", 21.6199, 105.1891, "Bộ phận thư viện",
     "tv.doanhung@phutho.example", "0210 3881 003"),
    ("thu-vien-ha-hoa", "Thư viện huyện Hạ Hòa", "library_district", "231",
     "Thị trấn Hạ Hòa, huyện Hạ Hòa", 21.5681, 105.0139, "Bộ phận thư viện", "tv.hahoa@phutho.example",
     "0210 3883 004"),
    ("thu-vien-thanh-ba", "Thư viện huyện Thanh Ba", "library_district", "232",
     "Thị trấn Thanh Ba, huyện Thanh Ba", 21.5071, 105.1398, "Bộ phận thư viện", "tv.thanhba@phutho.example",
     "0210 3885 005"),
    ("thu-vien-lam-thao", "Thư viện huyện Lâm Thao", "library_district", "237",
     "Thị trấn Lâm Thao, huyện Lâm Thao", 21.3251, 105.2859, "Bộ phận thư viện", "tv.lamthao@phutho.example",
     "0210 3825 006"),
    ("thu-vien-thanh-son", "Thư viện huyện Thanh Sơn", "library_district", "238",
     "Thị trấn Thanh Sơn, huyện Thanh Sơn", 21.2150, 105.1911, "Bộ phận thư viện",
     "tv.thanhson@phutho.example", "0210 3873 007"),
    ("thu-vien-tam-nong", "Thư viện huyện Tam Nông", "library_district", "236",
     "Thị trấn Hưng Hóa, huyện Tam Nông", 21.2552, 105.2860, "Bộ phận thư viện", "tv.tamnong@phutho.example",
     "0210 3879 008"),
    ("ttvh-cam-khe", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Cẩm Khê",
     "culture_centre_district", "235", "Thị trấn Cẩm Khê, huyện Cẩm Khê", 21.4228, 105.1340, "Phòng Nghiệp vụ",
     "ttvh.camkhe@phutho.example", "0210 3886 101"),
    ("ttvh-phu-ninh", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Phù Ninh",
     "culture_centre_district", "233", "Thị trấn Phong Châu, huyện Phù Ninh", 21.4101, 105.3093,
     "Phòng Nghiệp vụ", "ttvh.phuninh@phutho.example", "0210 3829 102"),
    ("ttvh-yen-lap", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Yên Lập",
     "culture_centre_district", "234", "Thị trấn Yên Lập, huyện Yên Lập", 21.3545, 105.0607, "Phòng Nghiệp vụ",
     "ttvh.yenlap@phutho.example", "0210 3870 103"),
    ("ttvh-thanh-thuy", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Thanh Thủy",
     "culture_centre_district", "239", "Thị trấn Thanh Thủy, huyện Thanh Thủy", 21.1620, 105.2611,
     "Phòng Nghiệp vụ", "ttvh.thanhthuy@phutho.example", "0210 3877 104"),
    # without coordinates: Tân Sơn's communes went into several new communes, so the reform lists it
    ("ttvh-tan-son", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Tân Sơn",
     "culture_centre_district", "240", "Thị trấn Tân Phú, huyện Tân Sơn", None, None, "Phòng Nghiệp vụ",
     "ttvh.tanson@phutho.example", "0210 3874 105"),
    ("ttvh-doan-hung", "Trung tâm Văn hóa, Thể thao, Du lịch và Truyền thông huyện Đoan Hùng",
     "culture_centre_district", "230", "Thị trấn Đoan Hùng, huyện Đoan Hùng", 21.6188, 105.1870,
     "Phòng Nghiệp vụ", "ttvh.doanhung@phutho.example", "0210 3881 106"),
    ("nvh-gia-cam", "Nhà văn hóa và Trung tâm học tập cộng đồng phường Gia Cẩm", "culture_centre_commune",
     "07900", "Phường Gia Cẩm, Việt Trì", 21.3196, 105.3921, "Ban chủ nhiệm", "nvh.giacam@phutho.example",
     "0912 000 201"),
    ("nvh-hy-cuong", "Trung tâm Văn hóa – Học tập cộng đồng xã Hy Cương", "culture_centre_commune", "08503",
     "Xã Hy Cương, Việt Trì", 21.3668, 105.3226, "Ban chủ nhiệm", "nvh.hycuong@phutho.example", "0912 000 202"),
    ("nvh-chan-mong", "Trung tâm Văn hóa – Học tập cộng đồng xã Chân Mộng", "culture_centre_commune", "08044",
     "Xã Chân Mộng, huyện Đoan Hùng", None, None, "Ban chủ nhiệm", "nvh.chanmong@phutho.example",
     "0912 000 203"),
    ("nvh-xuan-huy", "Trung tâm Văn hóa – Học tập cộng đồng xã Xuân Huy", "culture_centre_commune", "08509",
     "Xã Xuân Huy, huyện Lâm Thao", 21.3668, 105.2641, "Ban chủ nhiệm", "nvh.xuanhuy@phutho.example",
     "0912 000 204"),
    ("nvh-tat-thang", "Trung tâm Văn hóa – Học tập cộng đồng xã Tất Thắng", "culture_centre_commune", "08605",
     "Xã Tất Thắng, huyện Thanh Sơn", 21.1281, 105.2361, "Ban chủ nhiệm", "nvh.tatthang@phutho.example",
     "0912 000 205"),
    ("thu-vien-xa-son-vi", "Thư viện xã Sơn Vi", "library_commune", "08518",
     "Xã Sơn Vi, huyện Lâm Thao", 21.3114, 105.3049, "Cán bộ văn hóa xã", "tv.sonvi@phutho.example",
     "0912 000 301"),
    ("thu-vien-phuong-thanh-mieu", "Thư viện phường Thanh Miếu", "library_commune", "07909",
     "Phường Thanh Miếu, Việt Trì", 21.3106, 105.4225, "Cán bộ văn hóa phường", "tv.thanhmieu@phutho.example",
     "0912 000 302"),
    ("thu-vien-dai-hoc-hung-vuong", "Thư viện Trường Đại học Hùng Vương", "library_university", "07894",
     "Phường Nông Trang, Việt Trì", 21.3300, 105.3900, "Trung tâm Thông tin – Thư viện",
     "thuvien@dhhv.example", "0210 3993 369"),
    ("thu-vien-dai-hoc-cong-nghiep-viet-tri", "Thư viện Trường Đại học Công nghiệp Việt Trì",
     "library_university", "07903", "Phường Tiên Cát, Việt Trì", 21.3083, 105.4044, "Phòng Thư viện",
     "thuvien@vui.example", "0210 3848 636"),
    ("thu-vien-bo-chi-huy-quan-su", "Thư viện Bộ Chỉ huy Quân sự tỉnh Phú Thọ", "library_armed_forces", "07900",
     "Phường Gia Cẩm, Việt Trì", None, None, "Phòng Chính trị", "thuvien.bchqs@phutho.example",
     "0210 3846 999"),
    ("thu-vien-thpt-chuyen-hung-vuong", "Thư viện Trường THPT chuyên Hùng Vương", "library_school", "07900",
     "Phường Gia Cẩm, Việt Trì", 21.3178, 105.3937, "Cán bộ thư viện", "thuvien@thpt-chv.example",
     "0210 3846 555"),
    ("thu-vien-thcs-lam-thao", "Thư viện Trường THCS Lâm Thao", "library_school", "08494",
     "Thị trấn Lâm Thao, huyện Lâm Thao", None, None, "Cán bộ thư viện", "thuvien@thcs-lt.example",
     "0210 3825 556"),
    ("thu-vien-cong-dong-xuan-huy", "Thư viện cộng đồng xã Xuân Huy", "library_community", "08509",
     "Xã Xuân Huy, huyện Lâm Thao", 21.3679, 105.2620, "Ban quản lý", "tvcd.xuanhuy@phutho.example",
     "0912 000 401"),
    ("thu-vien-truong-chinh-tri", "Thư viện Trường Chính trị tỉnh Phú Thọ", "library_specialized", "07897",
     "Phường Tân Dân, Việt Trì", 21.3262, 105.4018, "Cán bộ thư viện", "thuvien@tct.example", "0210 3846 888"),
    ("thu-vien-benh-vien-tinh-phu-tho", "Thư viện y học Bệnh viện Đa khoa tỉnh Phú Thọ", "library_specialized",
     "07903", "Phường Tiên Cát, Việt Trì", 21.3049, 105.4061, "Phòng Chỉ đạo tuyến",
     "thuvien.bvdk@phutho.example", "0210 3846 258"),
    # --- old Vĩnh Phúc (26)
    ("thu-vien-tinh-vinh-phuc", "Thư viện tỉnh Vĩnh Phúc", "library_provincial", "08710",
     "Phường Liên Bảo, Vĩnh Yên", 21.3172, 105.6049, "Phòng Phục vụ bạn đọc", "thuvien@vinhphuc.example",
     "0211 3862 170"),
    ("bao-tang-tinh-vinh-phuc", "Bảo tàng tỉnh Vĩnh Phúc", "museum", "08716", "Phường Đống Đa, Vĩnh Yên",
     21.3069, 105.6021, "Phòng Giáo dục – Truyền thông", "baotang@vinhphuc.example", "0211 3862 380"),
    ("trung-tam-van-hoa-vinh-phuc", "Trung tâm Văn hóa – Điện ảnh tỉnh Vĩnh Phúc", "culture_centre_provincial",
     "08719", "Phường Ngô Quyền, Vĩnh Yên", 21.3091, 105.5966, "Phòng Tổ chức sự kiện",
     "ttvh@vinhphuc.example", "0211 3862 505"),
    ("nha-truyen-thong-lap-thach", "Nhà truyền thống huyện Lập Thạch", "museum_memorial", "08761",
     "Thị trấn Lập Thạch, huyện Lập Thạch", 21.4133, 105.4574, "Ban quản lý",
     "ntt.lapthach@vinhphuc.example", "0211 3873 021"),
    ("nha-truyen-thong-tam-dao", "Nhà truyền thống huyện Tam Đảo", "museum_memorial", "08911",
     "Thị trấn Hợp Châu, huyện Tam Đảo", 21.3920, 105.6199, "Ban quản lý", "ntt.tamdao@vinhphuc.example",
     "0211 3896 022"),
    ("thu-vien-dai-hoc-su-pham-ha-noi-2", "Thư viện Trường Đại học Sư phạm Hà Nội 2", "library_university",
     "08746", "Phường Xuân Hòa, Phúc Yên", 21.2951, 105.7138, "Trung tâm Thông tin – Thư viện",
     "thuvien@hpu2.example", "0211 3863 416"),
    ("thu-vien-bo-chi-huy-quan-su-vinh-phuc", "Thư viện Bộ Chỉ huy Quân sự tỉnh Vĩnh Phúc",
     "library_armed_forces", "08722", "Phường Đồng Tâm, Vĩnh Yên", 21.2905, 105.5907, "Phòng Chính trị",
     "thuvien.bchqs@vinhphuc.example", "0211 3862 999"),
    ("thu-vien-truong-si-quan-tang-thiet-giap", "Thư viện Trường Sĩ quan Tăng – Thiết giáp",
     "library_armed_forces", "08932", "Xã Minh Quang, huyện Tam Đảo", 21.3866, 105.6522, "Phòng Đào tạo",
     "thuvien@sqttg.example", "0211 3896 600"),
    ("thu-vien-truong-chinh-tri-vinh-phuc", "Thư viện Trường Chính trị tỉnh Vĩnh Phúc", "library_specialized",
     "08728", "Phường Khai Quang, Vĩnh Yên", 21.3149, 105.6221, "Cán bộ thư viện",
     "thuvien@tct-vinhphuc.example", "0211 3862 888"),
    # --- old Hòa Bình (17)
    ("thu-vien-tinh-hoa-binh", "Thư viện tỉnh Hòa Bình", "library_provincial", "04807",
     "Phường Phương Lâm, thành phố Hòa Bình", 20.8153, 105.3341, "Phòng Phục vụ bạn đọc",
     "thuvien@hoabinh.example", "0218 3852 161"),
    ("bao-tang-tinh-hoa-binh", "Bảo tàng tỉnh Hòa Bình", "museum", "04801",
     "Phường Tân Thịnh, thành phố Hòa Bình", 20.8301, 105.3392, "Phòng Trưng bày – Giáo dục",
     "baotang@hoabinh.example", "0218 3852 385"),
    ("bao-tang-van-hoa-muong", "Bảo tàng Không gian văn hóa Mường", "museum", "04795",
     "Phường Thịnh Lang, thành phố Hòa Bình", 20.8419, 105.3459, "Bộ phận Hướng dẫn",
     "baotang.muong@hoabinh.example", "0218 3880 263"),
    ("trung-tam-van-hoa-hoa-binh", "Trung tâm Văn hóa tỉnh Hòa Bình", "culture_centre_provincial", "04798",
     "Phường Hữu Nghị, thành phố Hòa Bình", 20.8331, 105.3283, "Phòng Nghiệp vụ", "ttvh@hoabinh.example",
     "0218 3852 202"),
    ("nha-truyen-thong-mai-chau", "Nhà truyền thống huyện Mai Châu", "museum_memorial", "05200",
     "Thị trấn Mai Châu, huyện Mai Châu", 20.6603, 105.0911, "Ban quản lý", "ntt.maichau@hoabinh.example",
     "0218 3867 023"),
    ("nha-truyen-thong-lac-son", "Nhà truyền thống huyện Lạc Sơn", "museum_memorial", "05266",
     "Thị trấn Vụ Bản, huyện Lạc Sơn", None, None, "Ban quản lý", "ntt.lacson@hoabinh.example",
     "0218 3862 024"),
    ("thu-vien-cao-dang-su-pham-hoa-binh", "Thư viện Trường Cao đẳng Sư phạm Hòa Bình", "library_university",
     "04828", "Phường Thống Nhất, thành phố Hòa Bình", 20.7701, 105.3535, "Trung tâm Thông tin – Thư viện",
     "thuvien@cdsphb.example", "0218 3854 350"),
    ("thu-vien-bo-chi-huy-quan-su-hoa-binh", "Thư viện Bộ Chỉ huy Quân sự tỉnh Hòa Bình",
     "library_armed_forces", "04804", "Phường Đồng Tiến, thành phố Hòa Bình", None, None, "Phòng Chính trị",
     "thuvien.bchqs@hoabinh.example", "0218 3852 999"),
    ("thu-vien-truong-chinh-tri-hoa-binh", "Thư viện Trường Chính trị tỉnh Hòa Bình", "library_specialized",
     "04816", "Phường Quỳnh Lâm, thành phố Hòa Bình", 20.8153, 105.3651, "Cán bộ thư viện",
     "thuvien@tct-hoabinh.example", "0218 3852 888"),
    # without coordinates, in a district whose communes went to several new communes: listed by the reform
    ("thu-vien-da-bac", "Thư viện huyện Đà Bắc", "library_district", "150", "Thị trấn Đà Bắc, huyện Đà Bắc",
     None, None, "Bộ phận thư viện", "tv.dabac@hoabinh.example", "0218 3827 009"),
    # in Đồng Tân, a commune split between Mai Châu and Pà Cò: without coordinates, listed by the reform
    ("nvh-dong-tan", "Trung tâm Văn hóa – Học tập cộng đồng xã Đồng Tân", "culture_centre_commune", "05221",
     "Xã Đồng Tân, huyện Mai Châu", None, None, "Ban chủ nhiệm", "nvh.dongtan@hoabinh.example",
     "0912 000 206"),
    # in Vầy Nưa, split between Tiền Phong and Thống Nhất: with coordinates, so the nearest one is chosen
    ("nvh-vay-nua", "Trung tâm Văn hóa – Học tập cộng đồng xã Vầy Nưa", "culture_centre_commune", "04891",
     "Xã Vầy Nưa, huyện Đà Bắc", 20.7989, 105.2103, "Ban chủ nhiệm", "nvh.vaynua@hoabinh.example",
     "0912 000 207"),
    ("thu-vien-xa-cao-son", "Thư viện xã Cao Sơn", "library_commune", "04957",
     "Xã Cao Sơn, huyện Lương Sơn", 20.8262, 105.5079, "Cán bộ văn hóa xã", "tv.caoson@hoabinh.example",
     "0912 000 303"),
]

# Institutions set up after the reform by the new communes, placed from 1 July 2025 in a unit of the new tree:
# (slug, name, category, official code of the new commune, address, lat, lon, contact, e-mail, phone)
NEW_INSTITUTIONS = [
    ("thu-vien-phuong-viet-tri", "Thư viện phường Việt Trì", "library_commune", "07900",
     "Phường Việt Trì, tỉnh Phú Thọ", 21.3215, 105.3981, "Cán bộ văn hóa phường", "tv.pviettri@phutho.example",
     "0912 000 501"),
    ("nvh-xa-tam-nong", "Trung tâm Văn hóa – Học tập cộng đồng xã Tam Nông", "culture_centre_commune", "08434",
     "Xã Tam Nông, tỉnh Phú Thọ", 21.2561, 105.2880, "Ban chủ nhiệm", "nvh.tamnong@phutho.example",
     "0912 000 502"),
]

#: institutions that record nothing (no activity, tally or assessment), so the dashboard has someone to call
SILENT_INSTITUTIONS = ("thu-vien-tam-nong", "thu-vien-yen-thuy", "nvh-chan-mong")

# the demo accounts: (e-mail, role, scope, display name); an officer's scope is an area code, taken as the
# unit valid today or, for a unit closed by the reform, the one that closed last; an editor's is a slug
ACCOUNTS = [
    ("admin@demo.example", "admin", None, "Quản trị hệ thống"),
    ("officer@demo.example", "officer", "25", "Sở Văn hóa, Thể thao và Du lịch tỉnh Phú Thọ"),
    ("officer.viettri@demo.example", "officer", "227", "Phòng Văn hóa – Thông tin thành phố Việt Trì"),
    ("editor@demo.example", "editor", "thu-vien-tinh-phu-tho", "Biên tập viên Thư viện tỉnh"),
    ("editor.museum@demo.example", "editor", "bao-tang-hung-vuong", "Biên tập viên Bảo tàng Hùng Vương"),
    ("editor.hycuong@demo.example", "editor", "nvh-hy-cuong", "Cán bộ văn hóa xã Hy Cương"),
]

#: the activities run over these years; figures are recorded up to FIGURES_UNTIL
YEARS = (2023, 2024, 2025, 2026, 2027)
#: attendance is recorded for occurrences that started before this day and monthly tallies for the months
#: before it (fixed, so a second run adds nothing)
FIGURES_UNTIL = date(2026, 12, 1)

# --- activities tied to the observances --------------------------------------------------------------------
# The kinds of institution that hold them: library (public, armed forces, specialised), school (school and
# university libraries), museum (museums and memorial houses), centre (culture centres).
# per observance and kind: (title, categories, audiences, local start hour, hours, online)
OBSERVANCE_TEMPLATES = {
    "book-reading-day": {
        "library": [
            ("Ngày hội Đọc sách – Văn hóa đọc", ["reading", "festival"], ["everyone"], 8, 4, False),
            ("Thi kể chuyện theo sách cho thiếu nhi", ["reading"], ["children", "pupils"], 14, 2, False),
            ("Tủ sách lưu động về cơ sở", ["reading"], ["families", "elderly"], 8, 3, False),
            ("Giới thiệu sách mới và sách hay", ["reading", "talk"], ["adults"], 9, 2, False),
        ],
        "school": [
            ("Đại sứ văn hóa đọc học đường", ["reading", "talk"], ["pupils"], 9, 2, False),
            ("Ngày hội Đọc sách trong nhà trường", ["reading", "festival"], ["pupils", "students"], 8, 3, False),
        ],
        "centre": [
            ("Ngày hội Đọc sách ở nhà văn hóa", ["reading", "festival"], ["families", "children"], 8, 3, False),
        ],
    },
    "world-book-day": {
        "library": [
            ("Triển lãm sách quý", ["exhibition", "reading"], ["everyone"], 8, 8, False),
            ("Đọc sách cùng con", ["reading"], ["families", "children"], 15, 2, False),
            ("Ngày hội đổi sách cũ lấy sách mới", ["reading", "festival"], ["everyone"], 8, 4, False),
            ("Giới thiệu sách truyền thống Quân đội", ["reading", "talk"], ["adults"], 8, 2, False),
        ],
        "school": [
            ("Tọa đàm: Bản quyền và sách điện tử", ["talk", "digital_skills"], ["students"], 14, 2, True),
            ("Trưng bày sách tham khảo theo chuyên ngành", ["exhibition", "reading"], ["students", "pupils"], 8,
             6, False),
        ],
    },
    "museum-day": {
        "museum": [
            ("Ngày Quốc tế Bảo tàng: mở cửa miễn phí", ["heritage", "exhibition"], ["everyone"], 8, 9, False),
            ("Thuyết minh chuyên đề về hiện vật", ["heritage", "talk"], ["pupils", "students"], 9, 2, True),
            ("Kể chuyện truyền thống quê hương", ["heritage", "talk"], ["youth", "pupils"], 8, 2, False),
            ("Trưng bày ảnh tư liệu", ["exhibition", "heritage"], ["everyone"], 8, 8, False),
        ],
    },
    "heritage-day": {
        "museum": [
            ("Triển lãm ảnh: Di sản quê hương", ["exhibition", "heritage"], ["everyone"], 8, 9, False),
            ("Tọa đàm: Bảo tồn di sản văn hóa các dân tộc", ["talk", "heritage"], ["adults", "ethnic_minorities"],
             14, 2, True),
        ],
        "centre": [
            ("Liên hoan văn nghệ quần chúng mừng Ngày Di sản", ["performance", "festival"], ["adults", "elderly"],
             19, 3, False),
            ("Ngày hội văn hóa các dân tộc", ["festival", "heritage"], ["ethnic_minorities", "everyone"], 8, 6,
             False),
            ("Hội thi hát dân ca", ["performance", "heritage"], ["youth", "adults"], 19, 2, False),
        ],
    },
    "lifelong-learning-week": {
        "library": [
            ("Khai mạc Tuần lễ hưởng ứng học tập suốt đời", ["festival", "reading"], ["everyone"], 8, 3, True),
            ("Giờ đọc sách gia đình", ["reading"], ["families"], 15, 2, False),
            ("Hướng dẫn tra cứu tài liệu cho người dân", ["workshop", "digital_skills"], ["adults"], 9, 2, False),
        ],
        "school": [
            ("Tuần lễ học tập suốt đời trong nhà trường", ["talk", "reading"], ["pupils", "students"], 8, 2,
             False),
        ],
        "museum": [
            ("Bảo tàng – trường học cho mọi người", ["heritage", "workshop"], ["families", "pupils"], 8, 3, False),
        ],
        "centre": [
            ("Hội thi tìm hiểu học tập suốt đời", ["talk", "festival"], ["youth", "adults"], 14, 3, False),
            ("Chuyên đề: Học tập suốt đời ở cộng đồng", ["talk"], ["adults"], 19, 2, False),
            ("Ngày hội gia đình học tập", ["festival", "workshop"], ["families", "children"], 8, 4, False),
        ],
    },
    "digital-transformation-day": {
        "library": [
            ("Giới thiệu thư viện số và tra cứu trực tuyến", ["digital_skills", "workshop"], ["students", "adults"],
             8, 3, True),
            ("Tập huấn sử dụng thư viện điện tử", ["digital_skills"], ["pupils", "adults"], 14, 2, True),
            ("Khai thác cơ sở dữ liệu chuyên ngành", ["digital_skills"], ["adults"], 14, 2, True),
        ],
        "school": [
            ("Kỹ năng tìm kiếm tài liệu số cho học sinh, sinh viên", ["digital_skills", "workshop"],
             ["pupils", "students"], 14, 2, True),
        ],
        "centre": [
            ("Hướng dẫn kỹ năng số cho người dân", ["digital_skills", "workshop"], ["adults", "elderly"], 8, 3,
             False),
            ("Hướng dẫn sử dụng dịch vụ công trực tuyến", ["digital_skills", "workshop"], ["adults"], 14, 2,
             False),
            ("Chuyển đổi số cho thanh niên dân tộc thiểu số", ["digital_skills", "workshop"],
             ["youth", "ethnic_minorities"], 8, 4, False),
        ],
    },
    "hung-kings": {
        "museum": [
            ("Giỗ Tổ Hùng Vương: trưng bày chuyên đề", ["heritage", "exhibition"], ["everyone"], 7, 10, False),
            ("Tìm hiểu tín ngưỡng thờ cúng Hùng Vương", ["heritage", "talk"], ["pupils", "youth"], 9, 2, True),
        ],
        "centre": [
            ("Hát Xoan phục vụ Giỗ Tổ", ["performance", "heritage"], ["everyone"], 19, 3, False),
            ("Giải thể thao truyền thống mừng Giỗ Tổ", ["sport", "festival"], ["youth", "adults"], 7, 5, False),
            ("Hội thi gói bánh chưng, giã bánh giầy", ["festival", "heritage"], ["families", "everyone"], 8, 4,
             False),
        ],
    },
}

# activities away from the observances, for culture centres and libraries:
# (title, categories, audiences, month, day, local start hour, hours)
SEASONAL_TEMPLATES = {
    "centre": [
        ("Liên hoan văn nghệ mừng Đảng, mừng Xuân", ["performance", "festival"], ["everyone"], 2, 1, 19, 3),
        ("Giải bóng chuyền hơi", ["sport"], ["adults", "elderly"], 3, 26, 7, 5),
        ("Lớp bơi an toàn cho trẻ em", ["sport", "course"], ["children", "families"], 6, 15, 16, 2),
        ("Vui Tết Trung thu cho thiếu nhi", ["festival", "performance"], ["children", "families"], 9, 12, 19, 3),
    ],
    "library": [
        ("Thư viện mùa hè cho thiếu nhi", ["reading", "workshop"], ["children"], 6, 5, 8, 3),
        ("Giới thiệu sách chào năm học mới", ["reading", "talk"], ["pupils"], 9, 8, 14, 2),
    ],
}

# weekly or monthly clubs of the commune culture centres, one season a year:
# (name, categories, audiences, weekday (RRULE BYDAY), local start hour, hours)
COMMUNE_CLUBS = [
    ("Câu lạc bộ Hát Xoan", ["club", "performance", "heritage"], ["everyone"], "SU", 19, 2),
    ("Câu lạc bộ Dân vũ", ["club", "sport"], ["adults", "elderly"], "WE", 18, 1),
    ("Câu lạc bộ Thơ", ["club", "reading"], ["elderly"], "SA", 8, 2),
    ("Câu lạc bộ Đọc sách thiếu nhi", ["club", "reading"], ["children"], "SA", 8, 2),
    ("Câu lạc bộ Cồng chiêng", ["club", "performance", "heritage"], ["ethnic_minorities", "youth"], "SU", 19, 2),
    ("Câu lạc bộ Dưỡng sinh", ["club", "sport"], ["elderly"], "TU", 6, 1),
    ("Lớp tin học cơ bản cho người dân", ["course", "digital_skills"], ["adults"], "TH", 19, 2),
]

# --- hand-written activities ------------------------------------------------------------------------------
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
    ("bao-tang-den-hung", "Chương trình giáo dục: Theo dấu các Vua Hùng", ["heritage", "course"],
     ["pupils", "students"], "2023-10-14T08:30", 2, "FREQ=MONTHLY;BYDAY=2SA;COUNT=8", "theo-dau-vua-hung",
     False, None),
    ("bao-tang-tinh-vinh-phuc", "Chương trình giáo dục: Vĩnh Phúc – đất và người", ["heritage", "course"],
     ["pupils"], "2024-09-21T08:30", 2, "FREQ=MONTHLY;BYDAY=3SA;COUNT=9", "dat-va-nguoi-vinh-phuc", False, None),
    ("bao-tang-tinh-hoa-binh", "Chương trình giáo dục: Văn hóa Hòa Bình thời tiền sử", ["heritage", "course"],
     ["pupils", "students"], "2023-09-23T08:30", 2, "FREQ=MONTHLY;BYDAY=4SA;COUNT=9", "van-hoa-hoa-binh",
     False, None),
    ("bao-tang-tinh-hoa-binh", "Chương trình giáo dục: Em làm nhà khảo cổ", ["workshop", "course"], ["children"],
     "2025-10-04T08:30", 2, "FREQ=MONTHLY;BYDAY=1SA;COUNT=9", "em-lam-nha-khao-co", True, 30),
    ("bao-tang-van-hoa-muong", "Chương trình trải nghiệm: Một ngày làm người Mường", ["heritage", "workshop"],
     ["pupils", "families"], "2024-03-02T08:00", 4, "FREQ=MONTHLY;BYDAY=1SA;COUNT=12", "mot-ngay-nguoi-muong",
     True, 40),
    ("nvh-hy-cuong", "Câu lạc bộ Hát Xoan Hy Cương", ["club", "performance", "heritage"], ["everyone"],
     "2024-01-07T19:00", 2, "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261231", None, False, None),
    ("nvh-gia-cam", "Câu lạc bộ Dân vũ phường Gia Cẩm", ["club", "sport"], ["adults", "elderly"],
     "2025-02-03T18:30", 1, "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=60", None, False, None),
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
    ("thu-vien-phuong-viet-tri", "Câu lạc bộ Đọc sách phường Việt Trì", ["club", "reading"],
     ["children", "families"], "2025-10-05T08:00", 2, "FREQ=WEEKLY;BYDAY=SU;COUNT=40", None, False, None),
    ("nvh-xa-tam-nong", "Lớp tiếng Anh giao tiếp cho thanh thiếu niên", ["course"], ["youth"],
     "2025-11-04T19:00", 2, "FREQ=WEEKLY;BYDAY=TU;COUNT=20", None, True, 35),
]

# single activities beyond the observances: (institution, title, categories, audiences,
# local start, local end, all_day, status, registration, capacity)
OTHER_ACTIVITIES = [
    ("thu-vien-tinh-phu-tho", "Hội sách cuối năm", ["reading", "festival"], ["everyone"],
     "2026-12-12", "2026-12-13", True, "published", False, None),
    ("thu-vien-tinh-phu-tho", "Tọa đàm: Sách hay cho mùa Tết", ["talk", "reading"], ["adults"],
     "2027-01-16T09:00", "2027-01-16T11:00", False, "published", True, 40),
    ("trung-tam-van-hoa-tinh", "Đêm nhạc dân gian (đã hủy vì mưa bão)", ["performance"], ["everyone"],
     "2025-09-06T19:30", "2025-09-06T21:30", False, "cancelled", False, None),
    ("bao-tang-hung-vuong", "Triển lãm: Cổ vật Văn Lang (bản nháp)", ["exhibition"], ["everyone"],
     "2027-03-01", "2027-03-31", True, "draft", False, None),
    ("trung-tam-van-hoa-tinh", "Lễ công bố tỉnh Phú Thọ mới: chương trình nghệ thuật", ["performance", "festival"],
     ["everyone"], "2025-06-30T20:00", "2025-06-30T22:00", False, "published", False, None),
    ("thu-vien-tinh-phu-tho", "Hội nghị hợp nhất hệ thống thư viện ba tỉnh", ["talk"], ["adults"],
     "2025-08-14T08:00", "2025-08-14T11:30", False, "published", True, 120),
    ("bao-tang-tinh-vinh-phuc", "Triển lãm: Ba miền đất – một Phú Thọ", ["exhibition", "heritage"],
     ["everyone"], "2025-08-01", "2025-09-30", True, "published", False, None),
    ("thu-vien-tinh-hoa-binh", "Tọa đàm: Văn hóa đọc ở vùng cao (bản nháp)", ["talk", "reading"],
     ["ethnic_minorities", "adults"], "2027-02-20T08:30", "2027-02-20T10:30", False, "draft", False, None),
]

#: one meeting of these clubs cancelled and one moved, so feeds show EXDATE and RECURRENCE-ID:
#: (institution, title, cancelled local start, moved local start, new local start)
OCCURRENCE_CHANGES = [
    ("thu-vien-tinh-phu-tho", "Câu lạc bộ Đọc sách thiếu nhi (năm học 2025–2026)",
     "2025-10-04T08:00", "2025-11-15T08:00", "2025-11-16T08:00"),
    ("nvh-hy-cuong", "Câu lạc bộ Hát Xoan Hy Cương", "2024-07-21T19:00", "2026-02-15T19:00", "2026-02-22T19:00"),
    ("bao-tang-van-hoa-muong", "Chương trình trải nghiệm: Một ngày làm người Mường",
     "2024-07-06T08:00", "2024-11-02T08:00", "2024-11-09T08:00"),
]

# --- year reports ------------------------------------------------------------------------------------------
# Each scenario is carried out through the approval operations by the demo accounts named (the ACCOUNTS'
# e-mails without "@demo.example"), so the audit trail is the real one. Steps: ("submit", who),
# ("approve", who), ("return", who, comment), ("unlock", who, reason).
# Before the reform Việt Trì's officer approves the 2024 year of the city's own institutions:
YEAR_REPORTS_BEFORE_REFORM = [
    ("thu-vien-viet-tri", 2024, [("submit", "officer.viettri"), ("approve", "officer.viettri")]),
    ("ttvh-viet-tri", 2024, [
        ("submit", "officer.viettri"),
        ("return", "officer.viettri", "Thiếu số người tham gia các buổi văn nghệ tháng 11; đề nghị bổ sung."),
        ("submit", "officer.viettri"), ("approve", "officer.viettri")]),
    ("nvh-gia-cam", 2024, [("submit", "officer.viettri"), ("approve", "officer.viettri")]),
    ("nvh-hy-cuong", 2024, [("submit", "editor.hycuong"), ("approve", "officer.viettri")]),
    ("thu-vien-phuong-thanh-mieu", 2024, [
        ("submit", "officer.viettri"),
        ("return", "officer.viettri", "Số lượt bạn đọc tháng 6 và tháng 7 trùng nhau; đề nghị kiểm tra lại sổ.")]),
]
# After the reform the officer of the new province decides (and, where nobody else is named, submits on an
# institution's behalf, as the department does for units without an account):
YEAR_REPORTS_AFTER_REFORM = [
    ("thu-vien-tinh-phu-tho", 2024, [("submit", "editor"), ("approve", "officer")]),
    ("thu-vien-tinh-phu-tho", 2025, [("submit", "editor"), ("approve", "officer")]),
    ("thu-vien-tinh-phu-tho", 2026, [("submit", "editor")]),
    ("bao-tang-hung-vuong", 2024, [("submit", "editor.museum"), ("approve", "officer")]),
    ("bao-tang-hung-vuong", 2025, [
        ("submit", "editor.museum"),
        ("return", "officer", "Số khách tham quan học tập tháng 7–9 chưa khớp với sổ theo dõi đoàn; đề nghị "
                              "đối chiếu và gửi lại.")]),
    ("thu-vien-viet-tri", 2024, [
        ("unlock", "officer", "Thư viện đề nghị bổ sung lượt bạn đọc tháng 12/2024 bị sót khi tổng hợp.")]),
    ("nvh-hy-cuong", 2025, [
        ("submit", "editor.hycuong"),
        ("return", "officer", "Chưa nhập số thành viên câu lạc bộ các tháng 7–12 sau khi sáp nhập xã; đề nghị "
                              "bổ sung rồi gửi lại.")]),
    ("nvh-gia-cam", 2025, [("submit", "officer")]),
    ("thu-vien-dai-hoc-hung-vuong", 2025, [("submit", "officer")]),
]
#: besides the scenarios above: the share of the other institutions (provincial, district and the larger
#: specialised ones) whose 2024 and 2025 years were submitted and approved, and of those whose 2026 year is
#: waiting for approval (the report is due 15 November)
APPROVED_SHARE = {2024: 0.9, 2025: 0.6}
SUBMITTED_SHARE = {2025: 0.15, 2026: 0.35}
