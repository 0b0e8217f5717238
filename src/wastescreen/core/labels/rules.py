"""What each validation rule means, in both languages: the words beside a refused field.

Keys are the rule codes of the error shape (pydantic's error types and the domain's own), so a
page, the CLI and the API say the same thing about the same mistake. A rule missing here is said
in general words in Vietnamese, and by the validator's own message in English.
"""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

RULES: dict[str, dict[Lang, str]] = {
    "missing": _p("Bắt buộc phải điền.", "Required."),
    "invalid": _p("Giá trị không hợp lệ.", "Not a valid value."),
    "json_invalid": _p("Nội dung không phải JSON hợp lệ.", "The body is not valid JSON."),
    "json_type": _p("Phải là văn bản JSON.", "Must be JSON text."),
    "model_type": _p("Phải là một đối tượng.", "Must be an object."),
    "model_attributes_type": _p("Phải là một đối tượng.", "Must be an object."),
    "int_type": _p("Phải là một số nguyên.", "Must be a whole number."),
    "float_type": _p("Phải là một số.", "Must be a number."),
    "bool_type": _p("Phải là có/không.", "Must be yes or no."),
    "date_type": _p("Phải là ngày dạng YYYY-MM-DD.", "Must be a date as YYYY-MM-DD."),
    "datetime_parsing": _p("Phải là ngày giờ dạng ISO 8601.", "Must be an ISO 8601 date-time."),
    "string_pattern_mismatch": _p("Không đúng định dạng cho phép.",
                                  "Not in the accepted format."),
    "too_short": _p("Quá ít mục.", "Too few items."),
    "value_error": _p("Giá trị không hợp lệ.", "Not a valid value."),
    "multiple_of": _p("Không phải bội số cho phép.", "Not an accepted multiple."),
    "int_parsing": _p("Phải là một số nguyên.", "Must be a whole number."),
    "int_from_float": _p("Phải là một số nguyên.", "Must be a whole number."),
    "float_parsing": _p("Phải là một số.", "Must be a number."),
    "finite_number": _p("Phải là một số hữu hạn.", "Must be a finite number."),
    "date_from_datetime_parsing": _p("Phải là ngày.", "Must be a date."),
    "date_parsing": _p("Phải là ngày dạng YYYY-MM-DD.", "Must be a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _p("Phải là ngày, không kèm giờ.", "Must be a date, no time."),
    "greater_than": _p("Giá trị quá nhỏ.", "Too small."),
    "greater_than_equal": _p("Giá trị quá nhỏ.", "Too small."),
    "less_than": _p("Giá trị quá lớn.", "Too large."),
    "less_than_equal": _p("Giá trị quá lớn.", "Too large."),
    "string_too_short": _p("Quá ngắn.", "Too short."),
    "flag_not_fired": _p("Dấu hiệu cảnh báo này không xuất hiện ở bản được sửa đổi; chỉ giải "
                         "trình các dấu hiệu đã xuất hiện.",
                         "This red flag did not fire on the version revised; answer only the "
                         "flags that fired."),
    "flag_answered_twice": _p("Dấu hiệu này đã được giải trình ở trên.",
                              "This flag is already answered above."),
    "revision_other_cycle": _p("Bản sửa đổi phải thuộc cùng kỳ ngân sách với bản đầu.",
                               "A revised version stays in the budget cycle of the first."),
    "revision_other_agency": _p("Bản sửa đổi phải do chính cơ quan đã nộp bản đầu nộp.",
                                "A revised version is filed by the agency that filed the "
                                "first."),
    "string_too_long": _p("Quá dài.", "Too long."),
    "string_type": _p("Phải là văn bản.", "Must be text."),
    "too_long": _p("Quá nhiều mục.", "Too many items."),
    "extra_forbidden": _p("Trường không được chấp nhận.", "Not an accepted field."),
    "enum": _p("Giá trị không hợp lệ.", "Not one of the accepted values."),
    "literal_error": _p("Giá trị không hợp lệ.", "Not one of the accepted values."),
    "list_type": _p("Phải là một danh sách.", "Must be a list."),
    "dict_type": _p("Phải là một đối tượng.", "Must be an object."),
    "bool_parsing": _p("Phải là có/không.", "Must be yes or no."),
    "invalid_json": _p("Không phải mảng JSON hợp lệ.", "Not a valid JSON array."),
    "invalid_json_file": _p("Tệp không phải một đề xuất dạng JSON (một đối tượng JSON, mã "
                            "UTF-8).",
                            "The file is not a proposal as JSON (one JSON object, UTF-8)."),
    "empty_text": _p("Không được để trống.", "Must not be empty."),
    "control_character": _p("Chứa ký tự điều khiển không được phép.",
                            "Contains a control character that is not allowed."),
    "format_character": _p("Chứa ký tự vô hình (như ký tự độ rộng bằng 0) không được phép.",
                           "Contains an invisible character (such as a zero-width space)."),
    "unknown_agency": _p("Cơ quan chưa có trong danh sách cơ quan đã biết.",
                         "Not an agency of the known list."),
    "unknown_province": _p("Không thuộc 34 tỉnh, thành phố theo danh mục năm 2025.",
                           "Not one of the 34 provinces and cities of the 2025 list."),
    "unknown_equipment_category": _p("Không phải nhóm thiết bị trong danh mục tham chiếu.",
                                     "Not an equipment category of the reference table."),
    "unknown_area_version": _p("Phiên bản danh mục lĩnh vực không có trong bảng tham chiếu.",
                               "Not a version of the technology-area list."),
    "unknown_technology_area": _p("Không phải lĩnh vực công nghệ của danh mục này.",
                                  "Not a technology area of this list version."),
    "kpi_without_metric": _p("Mỗi chỉ tiêu phải nêu tên chỉ số.", "A KPI must name its metric."),
    "budget_breakdown_mismatch": _p(
        "Tổng các khoản kinh phí phải bằng tổng kinh phí (chênh lệch tối đa 1 %).",
        "The budget lines must add up to the total budget (within 1 %)."),
    "end_before_start": _p("Ngày kết thúc phải sau ngày bắt đầu.",
                           "The end must come after the start."),
    "trl_target_below_start": _p("TRL mục tiêu không được thấp hơn TRL ban đầu.",
                                 "The target TRL must not be below the starting TRL."),
    "agency_not_for_role": _p("Chỉ khóa của cơ quan mới gắn với một cơ quan.",
                              "Only agency keys belong to an agency."),
    "not_your_agency": _p("Khóa của cơ quan chỉ được nộp đề xuất của chính cơ quan đó.",
                          "An agency key may only file its own agency's proposals."),
}


def rule_message(rule: str, lang: Lang, fallback: str) -> str:
    """The reader's words for ``rule``. A rule not listed here is said in general words in
    Vietnamese (naming the rule), in English by ``fallback`` (the validator's own message)."""
    entry = RULES.get(rule)
    if entry:
        return entry[lang]
    if lang == "vi" or not fallback:
        return RULES["invalid"][lang] + f" ({rule})"
    return fallback
