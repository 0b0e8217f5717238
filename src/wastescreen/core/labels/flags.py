"""Words of the evidence-first parts of the report and pages: red flags, the band they set, the
duplicate likelihood, and which parts of a screening rest on real data."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

UI: dict[str, dict[Lang, str]] = {
    "sec_flags": _p("Dấu hiệu cảnh báo", "Red flags"),
    "flags_intro": _p(
        "Mỗi dấu hiệu là một quy tắc có căn cứ (danh mục phiên bản {version}). Dấu hiệu mức cao "
        "đưa đề xuất lên ít nhất mức rủi ro cao, mức trung bình lên ít nhất mức trung bình, "
        "dù mô hình cho điểm thế nào.",
        "Each flag is a rule with a stated basis (catalogue version {version}). A high flag "
        "puts the proposal at least in the high band, a medium flag at least in the medium "
        "band, whatever the model says."),
    "flag_fired": _p("Có", "Fired"),
    "flag_not_fired": _p("Không", "Not fired"),
    "flag_not_applicable": _p("Không áp dụng", "Not applicable"),
    "severity_high": _p("cao", "high"),
    "severity_medium": _p("trung bình", "medium"),
    "col_flag": _p("Dấu hiệu", "Flag"),
    "col_flag_status": _p("Kết quả", "Result"),
    "col_severity": _p("Mức", "Severity"),
    "col_basis": _p("Căn cứ", "Basis"),
    "flag_evidence": _p("Bằng chứng", "Evidence"),
    "model_score": _p("Điểm của mô hình", "Model score"),
    "band_from_model": _p("Mức theo điểm của mô hình.", "Band from the model's score."),
    "cited_match": _p("{code}, khả năng trùng lặp {likelihood}", "{code}, duplicate likelihood "
                      "{likelihood}"),
    "cited_lab": _p("{code}, công suất sử dụng {utilisation}", "{code}, utilisation {utilisation}"),
    "band_raised": _p("Điểm của mô hình {score} (mức {model_band}); được nâng lên mức {band} "
                      "bởi {flags}.",
                      "Model {score} (band {model_band}); raised to {band} by {flags}."),
    "guard_note": _p(
        "Mức rủi ro không do các đóng góp dưới đây quyết định: {source} Dấu hiệu cảnh báo là "
        "một quy tắc có căn cứ, không phải một đóng góp của mô hình.",
        "The band is not set by the contributions below: {source} A red flag is a rule with "
        "a stated basis, not a contribution of the model."),
    "decision_history": _p("Lịch sử quyết định", "Decision history"),
    "awaiting_confirmation": _p(
        "Chờ người thẩm tra thứ hai xác nhận: đề xuất có dấu hiệu cảnh báo mức cao, nên việc "
        "phê duyệt cần hai người.",
        "Awaiting a second reviewer's confirmation: a high red flag fired on the proposal, so an "
        "approval needs two people."),
    "confirmation": _p("Xác nhận phê duyệt của người thẩm tra thứ nhất.",
                       "Confirms the first reviewer's approval."),
    "col_kind": _p("Loại", "Kind"),
    "col_likelihood": _p("Khả năng trùng", "Duplicate likelihood"),
    "col_use": _p("Sử dụng / tình trạng", "Use / status"),
    "kind_lab": _p("Phòng thí nghiệm", "Lab"),
    "kind_program": _p("Chương trình", "Program"),
    "kind_proposal": _p("Đề xuất cùng kỳ", "Same-cycle proposal"),
    "measured": _p("đo ngày {on}, {by}", "measured {on} by {by}"),
    "spare_hours": _p("{n} giờ trống/năm", "{n} spare hours a year"),
    "sec_alternatives": _p("Dùng chung thay vì mua mới", "Share instead of buying"),
    "alternatives_intro": _p(
        "Các phòng thí nghiệm trong vùng đã có thiết bị đề xuất định mua, mức sử dụng (ngày và "
        "đơn vị đo), số giờ còn trống mỗi năm, có mở cho dùng chung hay không, và điểm rủi ro "
        "nếu đề xuất dùng thiết bị của họ thay vì mua mới.",
        "The labs of the region that already hold equipment the proposal would buy: how much "
        "it is used (when and by whom that was measured), spare hours a year, whether it is "
        "open for shared use, and the risk score if the proposal used theirs instead."),
    "alternatives_none": _p("Không phòng thí nghiệm nào trong vùng có thiết bị đề xuất mua.",
                            "No lab of the region holds the equipment the proposal would buy."),
    "col_lab": _p("Phòng thí nghiệm", "Lab"),
    "col_holds": _p("Thiết bị đã có", "Holds"),
    "col_spare": _p("Giờ trống/năm", "Spare hours a year"),
    "col_if_used": _p("Nếu dùng chung", "If used instead"),
    "points": _p("điểm %", "points"),
    "likelihood_note": _p(
        "Khả năng trùng: xác suất hạng mục là cùng một nội dung hoặc trùng một phần, học trên "
        "các cặp dự án thật đã được gán nhãn; bằng chứng xếp theo khả năng này.",
        "Duplicate likelihood: the probability that an item is the same or overlapping work, "
        "learned on real labelled project pairs; evidence is ordered by it."),
    "real_data_note": _p(
        "Phần dựa trên dữ liệu thật: các quy tắc cảnh báo (danh mục có căn cứ chính sách) và "
        "khả năng trùng lặp (học trên cặp dự án thật của Ngân hàng Thế giới). Điểm rủi ro do "
        "mô hình tính{synthetic}.",
        "What rests on real data: the red-flag rules (a catalogue with a policy basis) and the "
        "duplicate likelihood (learned on real World Bank project pairs). The risk scores come "
        "from the model{synthetic}."),
    "synthetic_model_note": _p(" minh họa huấn luyện trên dữ liệu tổng hợp",
                               ", a demo trained on synthetic data"),
}
