"""What a check found wrong, in both languages: the audit trail's breaks (``audit verify``, the
API's ``/v1/audit``), a reproduction's notes, and a registry import's refused rows.

They are ``Msg`` keys like the refusals of ``messages`` (which takes them in), so that storage
says *what* it found and each reader gets it in their language.
"""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

PROBLEMS: dict[str, dict[Lang, str]] = {
    # the hash chain and the anchor
    "chain_missing": _p("thiếu (các) sự kiện trước số {seq}",
                        "missing event(s) before seq {seq}"),
    "chain_prev_hash": _p("prev_hash không khớp với sự kiện trước (đã bị xóa hoặc đảo thứ tự)",
                          "prev_hash does not match the previous event (deleted or reordered)"),
    "chain_edited": _p("nội dung không khớp với mã băm của nó (đã bị sửa)",
                       "content does not match its hash (edited)"),
    "chain_bad_mac": _p("MAC không khớp (bị ghi lại mà không có khóa, hoặc khóa đã đổi)",
                        "MAC does not match (rewritten without the key, or the key changed)"),
    "chain_no_mac": _p("không có MAC sau khi nhật ký đã được niêm phong (ghi hoặc ghi lại mà "
                       "không có khóa)",
                       "no MAC after the trail was sealed (written or rewritten without the "
                       "key)"),
    "anchor_gone": _p("sự kiện được neo không còn: nhật ký dừng ở số {head} (các sự kiện đã bị "
                      "cắt hoặc xóa)",
                      "the anchored event is gone: the trail ends at seq {head} (events were "
                      "cut or deleted)"),
    "anchor_rewritten": _p("sự kiện được neo nay có mã băm khác (nhật ký đã bị ghi lại đến nó)",
                           "the anchored event has another hash now (the trail was rewritten "
                           "up to it)"),
    # stored records against the events that recorded them
    "record_unlogged": _p("không có sự kiện nào ghi nhận nó", "no event recorded it"),
    "record_differs": _p("{name} là {value}; sự kiện đã ghi {recorded}",
                         "{name} is {value}; the event recorded {recorded}"),
    "record_answers": _p("các giải trình của cơ quan cho các cờ khác với lúc nộp",
                         "the agency's answers to its flags differ from those recorded when it "
                         "was filed"),
    "record_orphan_answers": _p("giải trình cho các cờ của một lượt sàng lọc không tồn tại",
                                "answers to flags of no screening"),
    "record_decider": _p("người quyết định khác với sự kiện", "decided_by differs from the event"),
    "record_deleted_decisions": _p("{n} quyết định đã ghi nhận bị xóa",
                                   "{n} recorded decision(s) were deleted"),
    "record_report_hash": _p("HTML của báo cáo không khớp với mã băm ghi lúc phát hành",
                             "its HTML does not match the hash recorded when it was issued"),
    "kind_event": _p("sự kiện", "event"),
    "kind_screening": _p("lượt sàng lọc", "screening"),
    "kind_decision": _p("quyết định", "decision"),
    "kind_issued report": _p("báo cáo đã phát hành", "issued report"),
    "problem_line": _p("{kind} {id}: {problem}", "{kind} {id}: {problem}"),
    # a reproduction (``wastescreen reproduce``, ``/v1/screenings/{id}/reproduction``)
    "repro_no_inputs": _p("được lưu trước khi các đầu vào được ghi lại: không chạy lại được",
                          "stored before its inputs were recorded: it cannot be re-run"),
    "repro_proposal_hash": _p("đề xuất đã lưu không cho ra mã băm đầu vào đã ghi",
                              "the stored proposal does not hash to the input hash recorded"),
    "repro_no_model": _p("mô hình {version} không còn ({error})",
                         "model {version} is no longer available ({error})"),
    "repro_peers_rebuilt": _p("tập đề xuất cùng kỳ dựng lại từ các hồ sơ lưu trước nó khác với "
                              "tập đã ghi (số lượng và mã băm)",
                              "the same-cycle peers rebuilt from the submissions stored before "
                              "it differ from the recorded set (count and hash)"),
    "repro_stored_row": _p("dòng đã lưu khác với kết quả đã lưu của nó",
                           "the stored row differs from its stored result"),
    "repro_features_changed": _p("mã tính đặc trưng đã thay đổi từ đó",
                                 "the feature code has changed since"),
    "repro_flags_changed": _p("danh mục cờ đỏ lúc đó là {version}",
                              "the red-flag catalogue was {version}"),
    "repro_likelihood_refit": _p("mô hình khả năng trùng lặp đã được ước lượng lại từ đó",
                                 "the duplicate likelihood was refitted since"),
    "repro_overlap_changed": _p("thiết lập tìm kiếm trùng lặp đã thay đổi từ đó",
                                "the overlap search settings have changed since"),
    "repro_code_version": _p("nó được tạo bởi wastescreen {version}",
                             "it was made by wastescreen {version}"),
    # registry import rows
    "import_same_key": _p("cùng {field} {code} với dòng {row}",
                          "same {field} {code} as row {row}"),
    "import_duplicate_key": _p("{field} {code} đã có ở dòng {row} với nội dung khác "
                               "(quy tắc duplicate_key)",
                               "duplicate_key: {field} {code} already given in row {row} with "
                               "different content"),
    "import_bad_format": _p("sai định dạng: {reason}", "format: {reason}"),
    "import_old_province": _p("tỉnh '{name}' (tên trước tháng 7/2025) được chuyển thành "
                              "'{now}'",
                              "province '{name}' (a name from before July 2025) mapped to "
                              "'{now}'"),
}
