"""One vocabulary for the fixed keys, in both languages: every word has its Vietnamese, and the official report
(which reads the words in Vietnamese whatever the reader's language) never falls back to English."""
import pytest
from flask_babel import force_locale

from calendar_app import vocabulary
from calendar_app.indicators import labels

WORD_LISTS = ["INSTITUTION_CATEGORIES", "ACTIVITY_CATEGORIES", "AUDIENCES", "ACTIVITY_STATUSES", "TALLY_METRICS",
              "CHECKLIST_ITEMS", "ROLES", "AREA_LEVELS", "INDICATOR_STATUSES", "INDICATOR_UNITS",
              "YEAR_REPORT_STATUSES", "OCCURRENCE_STATUSES", "AUDIT_ACTIONS", "AUDIT_ENTITIES", "FIELDS"]


@pytest.mark.parametrize("name", WORD_LISTS)
def test_every_word_is_translated(app, name):
    words = getattr(vocabulary, name)
    with app.test_request_context(), force_locale("vi"):
        vietnamese = {key: str(word) for key, word in words.items()}
    with app.test_request_context(), force_locale("en"):
        english = {key: str(word) for key, word in words.items()}
    # a Vietnamese word equal to the English one is a missing translation (save words both languages share)
    same = {key for key in words if vietnamese[key] == english[key] and english[key] not in ("E-mail",)}
    assert not same, same


def test_the_report_reads_the_vocabulary_in_vietnamese_whatever_the_language(app):
    with app.test_request_context(), force_locale("en"):
        assert labels.VI_CATEGORIES["library_school"] == "Thư viện cơ sở giáo dục"
        assert labels.VI_STATUSES["on_track"] == "Đạt" and labels.VI_STATUSES["behind"] == "Chưa đạt"
        assert str(labels.STATUSES["on_track"]) == "On track"
        assert dict(labels.VI_STATUSES) == {"on_track": "Đạt", "behind": "Chưa đạt", "no_target": "Không có chỉ tiêu",
                                            "no_data": "Chưa có số liệu"}


def test_audit_words(app):
    with app.test_request_context(), force_locale("vi"):
        assert vocabulary.field_label("starts_at") == "Bắt đầu"
        assert vocabulary.field_label("audiences.pupils") == "Số người tham dự: Học sinh"
        assert vocabulary.field_label("library_visits") == str(vocabulary.TALLY_METRICS["library_visits"])
        assert vocabulary.value_word("occurrence", "status", "scheduled") == "Theo kế hoạch"
        assert vocabulary.value_word("activity", "status", "draft") == str(vocabulary.ACTIVITY_STATUSES["draft"])
        assert vocabulary.value_word("year_report", "status", "returned") == "Đã trả lại để sửa"
        assert vocabulary.value_word("user", "role", "officer") == str(vocabulary.ROLES["officer"])
        assert vocabulary.value_word("activity", "title", "draft") is None
