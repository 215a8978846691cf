"""Accent-insensitive search that fits Vietnamese, the same on SQLite and PostgreSQL."""
from sqlalchemy import select

from calendar_app.events.models import Activity
from calendar_app.search import fold, matches, terms
from tests import factories as f


def test_fold_strips_tones_and_maps_d_bar():
    assert fold("Đọc sách") == "doc sach"
    assert fold("ĐẠI HỘI Thể dục  thể thao") == "dai hoi the duc the thao"
    assert fold("Hát Xoan, Hy Cương") == "hat xoan, hy cuong"
    assert fold("Ngữ văn – Lịch sử") == "ngu van – lich su"
    assert fold(None) == "" and fold("") == ""


def test_terms_are_folded_words():
    assert terms("  Đọc   SÁCH ") == ["doc", "sach"]
    assert terms("") == [] and terms(None) == []


def _found(query: str) -> set[str]:
    return set(f.db.session.scalars(select(Activity.title).where(matches(Activity.search_text, query))))


def test_search_on_the_database(db):
    area = f.area("227")
    inst = f.institution("thu-vien", area)
    f.activity(inst, "Đọc sách cùng thiếu nhi")
    f.activity(inst, "Câu lạc bộ Dân vũ", description="Điệu nhảy dân gian cho người cao tuổi")
    f.activity(inst, "Giảm giá 50% sách_cũ")
    f.activity(inst, "Lớp đàn bầu")
    db.session.commit()
    assert _found("doc sach") == {"Đọc sách cùng thiếu nhi"}
    assert _found("ĐỌC SÁCH") == {"Đọc sách cùng thiếu nhi"}
    assert _found("sach doc") == {"Đọc sách cùng thiếu nhi"}  # words in any order
    assert _found("dan") == {"Câu lạc bộ Dân vũ", "Lớp đàn bầu"}  # "đ" matches "d" both ways
    assert _found("đan bau") == {"Lớp đàn bầu"}
    assert _found("nguoi cao tuoi") == {"Câu lạc bộ Dân vũ"}  # the description counts
    assert _found("doc nhay") == set()  # every word must match
    assert _found("") == {"Đọc sách cùng thiếu nhi", "Câu lạc bộ Dân vũ", "Giảm giá 50% sách_cũ", "Lớp đàn bầu"}
    # LIKE wildcards typed by the user are plain characters
    assert _found("50%") == {"Giảm giá 50% sách_cũ"}
    assert _found("%") == {"Giảm giá 50% sách_cũ"}
    assert _found("a_h") == set()  # as a LIKE pattern it would match "sach"
    assert _found("sach_cu") == {"Giảm giá 50% sách_cũ"}
