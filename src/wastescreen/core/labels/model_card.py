"""Words of the model-card page."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "intro": _p("Thẻ mô hình mô tả mô hình rủi ro đang dùng: mục đích, giới hạn, dữ liệu huấn "
                "luyện, kết quả đo và những phần dựa trên dữ liệu thật.",
                "The card of the risk model in use: what it is for, its limits, what it was "
                "trained on, how it measured, and which parts rest on real data."),
    "sec_use": _p("Mục đích và giới hạn", "Intended use and limits"),
    # what the training code writes into every card (screening.training), said in both
    # languages; a card that says something else is shown as it was written
    "intended_use_text": _p(
        "Xếp hạng các đề xuất đầu tư KH&CN ở giai đoạn phê duyệt chủ trương để người thẩm tra "
        "xem xét rủi ro lãng phí và trùng lặp (trùng lặp, tài sản không sử dụng, không đạt đầu "
        "ra). Là công cụ hỗ trợ người thẩm tra: tự nó không bao giờ chấp thuận hay từ chối một "
        "đề xuất.",
        "Ranks approval-stage S&T investment proposals for human review of waste and "
        "redundancy risk (redundancy, idle assets, non-delivery). A screening aid for "
        "reviewers: it never approves or rejects a proposal by itself."),
    "limits_text": _p(
        "Điểm số phản ánh dữ liệu lịch sử mà mô hình được huấn luyện; mức sử dụng phòng thí "
        "nghiệm là số đo hiện nay, cũng được dùng cho các kỳ cũ hơn; cơ quan có ít lịch sử "
        "nhận tỷ lệ chung; độ tương đồng văn bản không hiểu nghĩa ngoài các từ dùng chung.",
        "Scores reflect the history it was trained on; lab utilisation is today's "
        "measurement, also used for older cycles; agencies with little history sit at the "
        "prior rate; text similarity does not understand meaning beyond shared words."),
    "sec_data": _p("Dữ liệu huấn luyện", "Training data"),
    "synthetic_yes": _p("Dữ liệu tổng hợp (minh họa), không phải kết quả thật.",
                        "Synthetic (demo) data, not real outcomes."),
    "synthetic_no": _p("Dữ liệu lịch sử được cung cấp.", "The historical data given."),
    "rows": _p("Số đề xuất", "Proposals"),
    "time_range": _p("Các kỳ ngân sách", "Budget cycles"),
    "data_hash": _p("Mã băm dữ liệu (SHA-256)", "Data hash (SHA-256)"),
    "sec_metrics": _p("Kết quả trên các kỳ kiểm tra (về sau)", "Results on the later test cycles"),
    "col_target": _p("Mục tiêu", "Target"),
    "col_n": _p("Số dự án", "Projects"),
    "overall": _p("Tổng hợp (bất kỳ lãng phí)", "Overall (any waste)"),
    "sec_real": _p("Phần dựa trên dữ liệu thật", "What rests on real data"),
    "real_flags": _p("Quy tắc cảnh báo: danh mục có căn cứ chính sách, phiên bản {v} (không học "
                     "từ dữ liệu).",
                     "Red-flag rules: a catalogue with a policy basis, version {v} (not "
                     "learned)."),
    "real_likelihood": _p(
        "Khả năng trùng lặp: học ngày {d} trên {s}; Brier trên nửa kiểm tra {o} (điểm trùng "
        "thô: {r}).",
        "Duplicate likelihood: fitted on {d} on {s}; held-out Brier {o} (raw overlap score: "
        "{r})."),
    "real_model": _p("Điểm rủi ro: mô hình này, huấn luyện trên dữ liệu nêu trên.",
                     "Risk scores: this model, trained on the data above."),
    "sec_features": _p("Các đặc trưng và chiều tác động", "Features and their direction"),
    "col_feature": _p("Đặc trưng", "Feature"),
    "col_direction": _p("Chiều", "Direction"),
    "col_monotone": _p("Ràng buộc đơn điệu", "Monotone constraint"),
    "direction_1": _p("cao hơn làm tăng rủi ro", "higher raises the risk"),
    "direction_-1": _p("cao hơn làm giảm rủi ro", "higher lowers the risk"),
    "direction_0": _p("tùy trường hợp", "depends"),
    "sec_bands": _p("Ngưỡng mức rủi ro", "Band thresholds"),
    "sec_libraries": _p("Phiên bản thư viện", "Library versions"),
}
