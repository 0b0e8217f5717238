"""Words of the report's section on the proposal itself."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.labels import report as L
from wastescreen.core.labels.pages import TEXT as PAGES
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "sec_proposal": _p("Nội dung đề xuất", "The proposal"),
    "reference_code": _p("Mã hồ sơ", "Reference code"),
    "managing_level": _p("Cấp quản lý", "Managing level"),
    "level_ministry": _p("Bộ, ngành", "Ministry"),
    "level_province": _p("Tỉnh, thành phố", "Province"),
    "period": _p("Thời gian thực hiện", "Period"),
    "months": _p("tháng", "months"),
    "trl": _p("Mức sẵn sàng công nghệ", "Technology readiness"),
    "summary": _p("Tóm tắt", "Summary"),
    "objectives": _p("Mục tiêu", "Objectives"),
    "budget": _p("Cơ cấu kinh phí", "Budget breakdown"),
    "line_equipment_vnd": _p("Thiết bị", "Equipment"),
    "line_construction_vnd": _p("Xây dựng", "Construction"),
    "line_personnel_vnd": _p("Nhân lực", "Personnel"),
    "line_operations_vnd": _p("Hoạt động", "Operations"),
    "line_other_vnd": _p("Khác", "Other"),
    "share": _p("Tỷ trọng", "Share"),
    "amount": _p("Kinh phí", "Amount"),
    "cofunding": _p("Vốn đối ứng", "Co-funding"),
    "om": _p("Kinh phí vận hành, bảo trì", "O&M budget"),
    "per_year": _p("mỗi năm", "a year"),
    "shared_use_plan": _p("Kế hoạch dùng chung", "Shared-use plan"),
    "none": _p("không có", "none"),
    "equipment": _p("Danh mục thiết bị", "Equipment list"),
    "col_item": _p("Thiết bị", "Item"),
    "col_category": _p("Nhóm", "Category"),
    "col_qty": _p("Số lượng", "Qty"),
    "col_unit": _p("Đơn giá", "Unit cost"),
    "col_total": _p("Thành tiền", "Total"),
    "kpis": _p("Chỉ tiêu đầu ra", "Expected outputs"),
    "col_metric": _p("Chỉ tiêu", "Output"),
    "col_target": _p("Mục tiêu", "Target"),
    "col_deadline": _p("Thời hạn", "Deadline"),
    "measurable": _p("đo lường được", "measurable"),
    "not_measurable": _p("không đo lường được", "not measurable"),
    "researchers": _p("Nhà nghiên cứu sử dụng", "Researchers who will use it"),
    "none_listed": _p("Không có.", "None listed."),
}


def field_label(name: str, lang: Lang) -> str:
    """A proposal field's (or flat column's) name as a person reads it: ``total_budget_vnd``
    is "Total budget", ``budget_personnel_vnd`` "Personnel"; an unknown name is itself."""
    key = f"f_{name}"
    if key in PAGES:
        return PAGES[key][lang]
    ui_key = {"total_budget_vnd": "total_budget"}.get(name, name)
    if ui_key in L.UI:
        return L.UI[ui_key][lang]
    return L.lookup(L.FIELDS, name, lang)
