"""Words of the revision loop: the report's section on a revised version, and the pages'."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "sec_revision": _p("Bản sửa đổi", "Revised version"),
    "revision_of": _p("Bản này sửa đổi đề xuất đã được trả lại (lượt sàng lọc {id}).",
                      "This version revises a proposal that was sent back (screening {id})."),
    "sent_back_by": _p("Trả lại để sửa đổi lúc {at}, bởi {who}", "Sent back on {at} by {who}"),
    "notes": _p("Ý kiến của người thẩm tra", "The reviewer's notes"),
    "score_moved": _p("Điểm rủi ro tổng hợp", "Overall risk score"),
    "before": _p("Bản trước", "Before"),
    "now": _p("Bản này", "Now"),
    "change": _p("Thay đổi", "Change"),
    "changes": _p("Những gì đã thay đổi", "What changed"),
    "no_changes": _p("Không có trường nào thay đổi.", "No field changed."),
    "col_field": _p("Mục", "Field"),
    "removed": _p("Bỏ", "Removed"),
    "added": _p("Thêm", "Added"),
    "flags_answered": _p("Dấu hiệu cảnh báo và giải trình của cơ quan",
                         "Red flags and the agency's answers"),
    "col_flag": _p("Dấu hiệu", "Flag"),
    "col_answer": _p("Giải trình của cơ quan", "The agency's answer"),
    "fired": _p("xuất hiện", "fired"),
    "not_fired": _p("không", "no"),
    "no_answer": _p("Chưa giải trình.", "Not answered."),
    "superseded_by": _p("Đề xuất này đã được thay thế bằng bản sửa đổi (lượt sàng lọc {id}); "
                        "quyết định được đưa ra trên bản mới.",
                        "A revised version superseded this proposal (screening {id}); it is "
                        "decided on that one."),
    # pages
    "mine_title": _p("Đề xuất của cơ quan", "My agency's proposals"),
    "mine_intro": _p("Các đề xuất đã nộp và các lượt kiểm tra trước của cơ quan, mới nhất "
                     "trước. Đề xuất bị trả lại để sửa đổi có ý kiến của người thẩm tra và nút "
                     "nộp bản sửa đổi.",
                     "Your agency's filed proposals and pre-checks, newest first. A proposal "
                     "sent back for revision carries the reviewer's notes and a button to file "
                     "the revised version."),
    "mine_submissions": _p("Đề xuất đã nộp", "Filed proposals"),
    "mine_prechecks": _p("Kiểm tra trước", "Pre-checks"),
    "none_yet": _p("Chưa có.", "None yet."),
    "filed_at": _p("Thời điểm nộp", "Filed"),
    "revise_button": _p("Nộp bản sửa đổi", "File a revised version"),
    "revise_title": _p("Nộp bản sửa đổi", "File a revised version"),
    "revise_intro": _p("Bản sửa đổi thay thế bản đã bị trả lại và được sàng lọc lại. Sửa các "
                       "mục cần sửa; giải trình từng dấu hiệu cảnh báo đã xuất hiện (ví dụ: "
                       "\"giai đoạn tiếp nối của chương trình đã nghiệm thu, được phê duyệt "
                       "theo quyết định …\"). Người thẩm tra sẽ thấy những gì đã thay đổi, "
                       "giải trình và điểm rủi ro thay đổi ra sao.",
                       "The revised version replaces the one sent back and is screened again. "
                       "Change what needs changing; answer each red flag that fired (e.g. "
                       "\"a follow-on of a delivered program, approved by decision …\"). The "
                       "reviewer sees what changed, your answers and how the score moved."),
    "answers": _p("Giải trình các dấu hiệu cảnh báo", "Answers to the red flags"),
    "answer_hint": _p("Ít nhất 10 ký tự; để trống nếu không giải trình.",
                      "At least 10 characters; leave empty not to answer."),
    "sent_back_notice": _p("Đề xuất này đã được trả lại để sửa đổi.",
                           "This proposal was sent back for revision."),
    "previous_version": _p("Xem bản trước", "See the previous version"),
    "latest_version": _p("Xem bản sửa đổi", "See the revised version"),
}
