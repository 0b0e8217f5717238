"""Bilingual words of the review report: section titles, column headers, band and waste meanings.

Everything a reader sees that is not data lives here, in Vietnamese and English. Lookups never
fail: an unknown code (a new decision kind, a new program status) is shown as it is, so a
report built from an older or newer result still renders.
"""

from __future__ import annotations

from collections.abc import Mapping

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

Pair = Mapping[Lang, str]


UI: dict[str, dict[Lang, str]] = {
    "doc_title": _p("Báo cáo thẩm tra rủi ro lãng phí", "Waste-risk review report"),
    "subtitle": _p("Đề xuất đầu tư khoa học và công nghệ",
                   "Science-and-technology investment proposal"),
    "synthetic_banner": _p(
        "Mô hình minh họa, huấn luyện trên dữ liệu tổng hợp — không dùng để ra quyết định thật",
        "Demo model trained on synthetic data — not for real decisions"),
    "synthetic_banner_note": _p(
        "Điểm số và lý do dưới đây chỉ minh họa cách hệ thống hoạt động.",
        "The scores and reasons below only illustrate how the system works."),
    # header
    "sec_header": _p("Thông tin đề xuất và sàng lọc", "Proposal and screening"),
    "agency": _p("Cơ quan đề xuất", "Submitting agency"),
    "cycle": _p("Kỳ ngân sách", "Budget cycle"),
    "province": _p("Địa phương", "Province"),
    "technology_area": _p("Lĩnh vực công nghệ", "Technology area"),
    "project_type": _p("Loại dự án", "Project type"),
    "total_budget": _p("Tổng kinh phí", "Total budget"),
    "submitted_at": _p("Ngày sàng lọc", "Screened on"),
    "screening_id": _p("Mã sàng lọc", "Screening id"),
    "model_version": _p("Phiên bản mô hình", "Model version"),
    "model_card": _p("Thẻ mô hình", "Model card"),
    "registry_snapshot": _p("Ảnh chụp dữ liệu đăng ký", "Registry snapshot"),
    "snapshot_of": _p("ngày", "of"),
    "input_hash": _p("Mã băm dữ liệu đầu vào (SHA-256)", "Input hash (SHA-256)"),
    # scores
    "sec_scores": _p("Mức rủi ro", "Risk level"),
    "overall_score": _p("Điểm rủi ro tổng hợp", "Overall risk score"),
    "band": _p("Mức", "Band"),
    "band_legend": _p("Ý nghĩa các mức", "What the bands mean"),
    "kind_of_waste": _p("Loại lãng phí", "Kind of waste"),
    "score": _p("Điểm", "Score"),
    "what_it_means": _p("Nghĩa là", "What it means"),
    "overall_note": _p(
        "Điểm tổng hợp là xác suất xảy ra ít nhất một loại lãng phí, ước lượng từ các điểm "
        "thành phần.",
        "The overall score is the probability of at least one kind of waste, estimated from "
        "the scores of each kind."),
    # explanation
    "sec_explain": _p("Vì sao có điểm này", "Why this score"),
    "explain_intro": _p(
        "Mỗi biểu đồ đi từ tỷ lệ nền (rủi ro trung bình của các đề xuất đã biết kết quả) tới "
        "điểm của đề xuất này. Thanh tô đậm làm tăng rủi ro, thanh để trắng làm giảm rủi ro.",
        "Each chart goes from the base rate (the average risk of proposals with a known "
        "outcome) to this proposal's score. Solid bars raise the risk, hollow bars lower it."),
    "axis_note": _p(
        "Trục ngang theo thang log-odds của mô hình, ghi bằng xác suất tương ứng. Thanh cuối "
        "cùng là bước hiệu chỉnh (đo trên các đề xuất về sau), đưa tổng đóng góp của mô hình "
        "về đúng điểm hiển thị.",
        "The horizontal axis is the model's log-odds scale, marked with the matching "
        "probabilities. The last bar is the calibration (measured on later proposals): it "
        "takes the model's contributions to the score shown."),
    "calibration_step": _p("Hiệu chỉnh xác suất", "Calibration"),
    "no_track_record": _p("chưa có dự án trước đây có kết quả",
                          "no earlier project with a known outcome"),
    "base_rate": _p("Tỷ lệ nền", "Base rate"),
    "final_score": _p("Điểm của đề xuất", "This proposal's score"),
    "other_features": _p("Các yếu tố khác", "Other features"),
    "raises": _p("tăng rủi ro", "raises the risk"),
    "lowers": _p("giảm rủi ro", "lowers the risk"),
    "top_reasons": _p("Lý do chính", "Main reasons"),
    "no_reasons": _p("Không có yếu tố nào làm tăng đáng kể rủi ro này.",
                     "No feature raises this risk noticeably."),
    "chart_alt": _p("Biểu đồ thác nước đóng góp SHAP", "Waterfall chart of SHAP contributions"),
    "contribution": _p("Đóng góp", "Contribution"),
    "value": _p("Giá trị", "Value"),
    # evidence
    "sec_evidence": _p("Bằng chứng trùng lặp", "Overlap evidence"),
    "evidence_intro": _p(
        "Các phòng thí nghiệm, chương trình và đề xuất cùng kỳ giống đề xuất này nhất. Mức "
        "trùng (0–1) gộp từ các thành phần: nội dung, thiết bị, địa điểm, lĩnh vực, kinh phí, "
        "cùng cơ quan.",
        "The labs, programs and same-cycle proposals most like this one. The overlap (0–1) "
        "combines its components: text, equipment, place, area, budget and same agency."),
    "ev_labs": _p("Phòng thí nghiệm đã có", "Existing labs"),
    "ev_programs": _p("Chương trình, nhiệm vụ đã có", "Existing programs and tasks"),
    "ev_proposals": _p("Đề xuất cùng kỳ của cơ quan khác", "Same-cycle proposals"),
    "ev_none": _p("Không tìm thấy hạng mục trùng lặp.", "No overlapping item found."),
    "col_code": _p("Mã", "Code"),
    "col_name": _p("Tên", "Name"),
    "col_host": _p("Đơn vị chủ quản", "Host"),
    "col_manager": _p("Cơ quan quản lý", "Managing agency"),
    "col_place": _p("Địa điểm", "Place"),
    "col_overlap": _p("Mức trùng", "Overlap"),
    "col_components": _p("Thành phần (ND/TB/ĐĐ/LV/KP/CQ)", "Components (T/E/P/A/B/G)"),
    "col_equipment": _p("Thiết bị trùng", "Overlapping equipment"),
    "col_utilisation": _p("Công suất sử dụng", "Utilisation"),
    "col_shared": _p("Mở cho dùng chung", "Open for shared use"),
    "col_investment": _p("Vốn đầu tư", "Investment"),
    "col_budget": _p("Kinh phí", "Budget"),
    "col_period": _p("Thời gian", "Period"),
    "col_status": _p("Tình trạng", "Status"),
    "col_outcome": _p("Kết quả", "Outcome"),
    "components_key": _p(
        "ND: nội dung · TB: thiết bị · ĐĐ: địa điểm · LV: lĩnh vực · KP: kinh phí · "
        "CQ: cùng cơ quan (1 khi hạng mục do chính cơ quan đề xuất quản lý hoặc chủ trì)",
        "T: text · E: equipment · P: place · A: area · B: budget · "
        "G: same agency (1 when the proposing agency itself manages or hosts the item)"),
    "underused": _p("dưới công suất", "under-used"),
    # what-if
    "sec_whatif": _p("Điều gì sẽ giảm rủi ro", "What would lower the risk"),
    "whatif_intro": _p(
        "Các thay đổi mà cơ quan đề xuất có thể thực hiện, xếp theo mức giảm rủi ro.",
        "Changes the agency can make, ordered by how much they lower the risk."),
    "col_change": _p("Thay đổi", "Change"),
    "col_new_score": _p("Điểm mới", "New score"),
    "col_new_band": _p("Mức mới", "New band"),
    "col_delta": _p("Thay đổi điểm", "Change in score"),
    "whatif_none": _p("Không có thay đổi nào làm giảm đáng kể rủi ro.",
                      "No change lowers the risk noticeably."),
    # completeness
    "sec_completeness": _p("Mức đầy đủ của hồ sơ", "Data completeness"),
    "completeness": _p("Mức đầy đủ", "Completeness"),
    "missing_fields": _p("Trường còn thiếu hoặc chưa hợp lý", "Missing or implausible fields"),
    "missing_none": _p("Hồ sơ đầy đủ.", "All fields are filled."),
    "completeness_note": _p(
        "Hồ sơ càng thiếu thông tin thì điểm rủi ro càng kém chắc chắn.",
        "The less complete the proposal, the less certain its score."),
    # decision
    "sec_decision": _p("Quyết định của người thẩm tra", "Reviewer's decision"),
    "decision": _p("Quyết định", "Decision"),
    "rationale": _p("Lý do", "Rationale"),
    "decided_by": _p("Người quyết định", "Decided by"),
    "decided_at": _p("Thời điểm", "Decided at"),
    "override": _p("Khác với khuyến nghị của mô hình", "Overrides the model's band"),
    "override_yes": _p("CÓ — quyết định khác với mức rủi ro của mô hình",
                       "YES — the decision departs from the model's risk band"),
    "override_no": _p("Không", "No"),
    "decision_pending": _p("Chưa ghi nhận quyết định.", "No decision recorded yet."),
    # footer
    "footer": _p(
        "Báo cáo do wastescreen tạo. Điểm số là công cụ hỗ trợ thẩm tra, không thay thế "
        "quyết định của người có thẩm quyền.",
        "Report produced by wastescreen. Scores support the review; they do not replace the "
        "decision of the competent authority."),
    "page": _p("Trang", "Page"),
    "none": _p("—", "—"),
}

BANDS: dict[str, dict[Lang, str]] = {
    "low": _p("Thấp", "Low"),
    "medium": _p("Trung bình", "Medium"),
    "high": _p("Cao", "High"),
}

BAND_MEANINGS: dict[str, dict[Lang, str]] = {
    "low": _p("Ít dấu hiệu lãng phí; có thể xử lý theo quy trình thông thường.",
              "Few signs of waste; the usual process can go ahead."),
    "medium": _p("Có dấu hiệu cần làm rõ; đề nghị cơ quan giải trình các lý do nêu dưới đây.",
                 "Some signs need clarifying; ask the agency to answer the reasons below."),
    "high": _p("Nhiều dấu hiệu lãng phí; cần thẩm tra kỹ và xem xét bằng chứng trước khi duyệt.",
               "Strong signs of waste; review the evidence closely before approving."),
}

TARGETS: dict[str, dict[Lang, str]] = {
    "redundancy": _p("Trùng lặp", "Redundancy"),
    "idle_assets": _p("Tài sản không sử dụng", "Idle assets"),
    "non_delivery": _p("Không đạt đầu ra", "Non-delivery"),
    "fragmentation": _p("Dàn trải, manh mún", "Fragmentation"),
}

TARGET_MEANINGS: dict[str, dict[Lang, str]] = {
    "redundancy": _p(
        "Đề xuất lặp lại năng lực hoặc công việc đã có (phòng thí nghiệm cùng thiết bị ở gần, "
        "chương trình cùng mục tiêu) hoặc trùng đề xuất của cơ quan khác cùng kỳ.",
        "The proposal duplicates capacity or work that already exists (a nearby lab with the "
        "same equipment, a program with the same objectives) or another agency's proposal in "
        "the same cycle."),
    "idle_assets": _p(
        "Tài sản mua sắm có khả năng để không: thiếu kinh phí vận hành, ít người sử dụng, "
        "không có kế hoạch dùng chung, kinh phí thiên về thiết bị.",
        "What is bought may sit unused: no O&M budget, few users per instrument, no shared-use "
        "plan, an equipment-heavy budget."),
    "non_delivery": _p(
        "Đầu ra khó đạt: chỉ tiêu mơ hồ, tiến độ hoặc bước nhảy mức sẵn sàng công nghệ không "
        "thực tế, thành tích trước đây của cơ quan yếu.",
        "The outputs may not be delivered: vague KPIs, an unrealistic timeline or readiness "
        "jump, a weak track record of the agency."),
    "fragmentation": _p(
        "Chi tiêu dàn trải, nhỏ lẻ, hình thức.",
        "Scattered, small, superficial spending."),
}

PROJECT_TYPES: dict[str, dict[Lang, str]] = {
    "new_lab": _p("Xây dựng phòng thí nghiệm mới", "New laboratory"),
    "lab_upgrade": _p("Nâng cấp phòng thí nghiệm", "Laboratory upgrade"),
    "equipment_purchase": _p("Mua sắm thiết bị", "Equipment purchase"),
    "research_program": _p("Chương trình nghiên cứu", "Research program"),
    "digital_platform": _p("Nền tảng số", "Digital platform"),
    "training_program": _p("Chương trình đào tạo", "Training program"),
}

DISTANCES: dict[str, dict[Lang, str]] = {
    "same_province": _p("cùng tỉnh/thành", "same province"),
    "same_region": _p("cùng vùng", "same region"),
    "elsewhere": _p("vùng khác", "elsewhere"),
    "unknown": _p("không rõ", "unknown"),
}

PROGRAM_STATUS: dict[str, dict[Lang, str]] = {
    "planned": _p("Đã lên kế hoạch", "Planned"),
    "ongoing": _p("Đang thực hiện", "Ongoing"),
    "completed": _p("Đã hoàn thành", "Completed"),
    "cancelled": _p("Đã hủy", "Cancelled"),
}

PROGRAM_OUTCOMES: dict[str, dict[Lang, str]] = {
    "unknown": _p("Chưa rõ", "Not yet known"),
    "delivered": _p("Đạt", "Delivered"),
    "partial": _p("Đạt một phần", "Partly delivered"),
    "not_delivered": _p("Không đạt", "Not delivered"),
}

DECISIONS: dict[str, dict[Lang, str]] = {
    "approve": _p("Chấp thuận", "Approve"),
    "approved": _p("Chấp thuận", "Approved"),
    "approve_with_changes": _p("Chấp thuận có điều kiện", "Approve with changes"),
    "revise": _p("Yêu cầu chỉnh sửa", "Ask for revision"),
    "request_changes": _p("Yêu cầu chỉnh sửa", "Ask for changes"),
    "reject": _p("Không chấp thuận", "Reject"),
    "rejected": _p("Không chấp thuận", "Rejected"),
    "defer": _p("Hoãn xem xét", "Defer"),
}

# Short names of the catalogue's features for the waterfall (the catalogue holds the long
# description and the full sentence; these fit on one chart line).
FEATURES: dict[str, dict[Lang, str]] = {
    "sim_lab_best": _p("Trùng với phòng thí nghiệm đã có", "Overlap with an existing lab"),
    "sim_program_best": _p("Trùng với chương trình đã có", "Overlap with an existing program"),
    "sim_cycle_best": _p("Trùng với đề xuất cùng kỳ", "Overlap with a same-cycle proposal"),
    "close_match_count": _p("Số hạng mục gần giống", "Close matches"),
    "underused_capacity_nearby": _p("Năng lực chưa dùng hết trong vùng",
                                    "Under-used capacity nearby"),
    "equipment_in_region_share": _p("Thiết bị đã có trong vùng",
                                    "Requested equipment already in region"),
    "equipment_share": _p("Tỷ trọng thiết bị trong kinh phí", "Equipment share of budget"),
    "om_ratio": _p("Kinh phí vận hành, bảo trì / vốn đầu tư", "O&M budget / capital cost"),
    "researchers_per_instrument": _p("Nhà nghiên cứu trên mỗi thiết bị",
                                     "Researchers per instrument"),
    "has_shared_use_plan": _p("Kế hoạch dùng chung", "Shared-use plan"),
    "kpi_measurable_share": _p("Chỉ tiêu đo lường được", "Measurable KPIs"),
    "trl_jump": _p("Bước tăng mức sẵn sàng công nghệ", "TRL jump"),
    "log_budget_per_month": _p("Kinh phí mỗi tháng", "Budget per month"),
    "agency_past_idle_rate": _p("Tiền sử tài sản để không của cơ quan",
                                "Agency's past idle assets"),
    "agency_past_duplication_rate": _p("Tiền sử trùng lặp của cơ quan",
                                       "Agency's past duplication"),
    "agency_past_nondelivery_rate": _p("Tiền sử không đạt đầu ra của cơ quan",
                                       "Agency's past non-delivery"),
    "agency_past_projects": _p("Số dự án trước đây của cơ quan", "Agency's past projects"),
    "log_budget_per_output": _p("Kinh phí mỗi chỉ tiêu đầu ra", "Budget per output"),
    "small_line_items": _p("Hạng mục thiết bị nhỏ lẻ", "Small equipment lines"),
    "cofunding_share": _p("Vốn đối ứng", "Co-funding share"),
    "strategic_area": _p("Lĩnh vực công nghệ chiến lược", "Strategic-technology area"),
    "data_completeness": _p("Mức đầy đủ của hồ sơ", "Data completeness"),
    "project_type": _p("Loại dự án", "Project type"),
}

# Proposal fields named by the completeness check.
FIELDS: dict[str, dict[Lang, str]] = {
    "summary": _p("Tóm tắt", "Summary"),
    "objectives": _p("Mục tiêu", "Objectives"),
    "equipment": _p("Danh mục thiết bị", "Equipment list"),
    "kpis": _p("Chỉ tiêu đầu ra", "Expected outputs (KPIs)"),
    "researchers": _p("Nhà nghiên cứu sử dụng", "Researchers who will use it"),
    "shared_use_plan": _p("Kế hoạch dùng chung", "Shared-use plan"),
    "end_date": _p("Ngày kết thúc", "End date"),
    "reference_code": _p("Mã hồ sơ", "Reference code"),
    "cofunding_sources": _p("Nguồn vốn đối ứng", "Co-funding sources"),
    "budget.equipment_vnd": _p("Kinh phí thiết bị", "Equipment budget"),
    "om_budget_vnd_per_year": _p("Kinh phí vận hành, bảo trì hằng năm",
                                 "Yearly O&M budget"),
}


def ui(key: str, lang: Lang) -> str:
    """A UI label (section title, column header); ``KeyError`` on a typo, caught by the tests."""
    return UI[key][lang]


def lookup(table: Mapping[str, Mapping[Lang, str]], code: str, lang: Lang) -> str:
    """The label of ``code`` in ``table``, or ``code`` itself when the table does not know it."""
    entry = table.get(code)
    return entry[lang] if entry else code
