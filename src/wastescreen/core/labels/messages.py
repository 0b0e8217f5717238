"""What the service says when it refuses something, in both languages: API errors, unreadable
files, and the like, for the API, the pages and the CLI alike.

A refusal carries a ``Msg`` (a key of ``MESSAGES`` and its values) rather than a sentence, so
that each reader gets it in their language: the API from ``Accept-Language`` (Vietnamese by
default), the pages from their ``lang``, the CLI from ``--lang``. Numbers among the values are
written by the locale rule (``core.locale_format``); the error codes the API answers with stay
stable English words (they are for programs, not people).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from wastescreen.core.labels import pair as _p
from wastescreen.core.labels.problems import PROBLEMS
from wastescreen.core.locale_format import Lang, number

MESSAGES: dict[str, dict[Lang, str]] = {
    # who may call
    "unauthorized_no_key": _p("Gửi khóa API trong tiêu đề 'Authorization: Bearer KHÓA'.",
                              "Send an API key as 'Authorization: Bearer KEY'."),
    "unauthorized_bad_key": _p("Khóa API không đúng hoặc đã bị thu hồi.",
                               "Unknown or revoked API key."),
    "rate_limited_address": _p("Quá nhiều lần thử khóa sai từ địa chỉ này; thử lại sau.",
                               "Too many failed key checks from this address; retry later."),
    "rate_limited_key": _p("Quá nhiều yêu cầu với khóa này; thử lại sau.",
                           "Too many requests for this key; retry later."),
    "forbidden_role": _p("Vai trò '{role}' không được làm việc này; vai trò được phép: "
                         "{allowed}.",
                         "Role '{role}' may not do this; allowed: {allowed}."),
    # what is not there
    "not_found_route": _p("Không có địa chỉ này.", "No such address."),
    "not_found_lab": _p("Không có phòng thí nghiệm {code}.", "No lab {code}."),
    "not_found_program": _p("Không có chương trình, nhiệm vụ {code}.", "No program {code}."),
    "not_found_job": _p("Không có lô kiểm tra {id}.", "No batch job {id}."),
    "not_found_key": _p("Không có khóa đang hoạt động mang số {id}.", "No active key {id}."),
    "not_found_model": _p("Chưa nạp mô hình rủi ro nào.", "No model is loaded."),
    "not_found_screening": _p("Không tìm thấy lượt sàng lọc này (hoặc khóa của bạn không được "
                              "xem nó).",
                              "No such screening (or your key may not see it)."),
    "method_not_allowed": _p("Địa chỉ này không nhận phương thức {method}.",
                             "This address does not take {method}."),
    # what was sent
    "bad_request": _p("Yêu cầu không hợp lệ.", "Bad request."),
    "invalid_request": _p("Yêu cầu không hợp lệ: {field}: {message}",
                          "Invalid request: {field}: {message}"),
    "invalid_field": _p("{field}: {message}", "{field}: {message}"),
    "code_mismatch": _p("{field} trong nội dung khác với mã trên đường dẫn.",
                        "{field} differs from the path."),
    "control_character": _p("{name}: chứa ký tự điều khiển {char}, không được phép ở đây.",
                            "{name}: contains the control character {char}, which has no "
                            "place here."),
    "payload_too_large": _p("Nội dung gửi lên lớn hơn mức cho phép ({limit} byte).",
                            "The request body is larger than allowed ({limit} bytes)."),
    "unsupported_file": _p("Chỉ nhận tệp .csv hoặc .xlsx.", "Upload a .csv or .xlsx file."),
    "idempotency_conflict": _p("Khóa Idempotency-Key này đã được dùng với một đề xuất khác.",
                               "This Idempotency-Key was used with a different proposal."),
    "not_a_submission": _p("Kết quả kiểm tra trước không có quyết định thẩm tra.",
                           "Pre-checks are not decided on."),
    "not_sent_back": _p("Chỉ nộp được bản sửa đổi của một đề xuất đã được trả lại để sửa đổi.",
                        "Only a proposal sent back for revision can be revised."),
    "superseded": _p("Đề xuất này đã có bản sửa đổi thay thế; hãy làm việc trên bản mới nhất.",
                     "A revised version superseded this proposal; work on the latest one."),
    "second_reviewer_needed": _p("Quyết định phê duyệt này đang chờ một người thẩm tra khác "
                                 "xác nhận.",
                                 "This approval awaits another reviewer's confirmation."),
    "unknown_agency": _p("Cơ quan '{name}' chưa có trong danh sách cơ quan đã biết: thêm bằng "
                         "`wastescreen agencies add \"{name}\"` hoặc `POST /v1/agencies` (quản "
                         "trị viên), hoặc kiểm tra chính tả với `wastescreen agencies list`.",
                         "Unknown agency '{name}': add it with `wastescreen agencies add "
                         "\"{name}\"` or `POST /v1/agencies` (admin), or check its spelling "
                         "against `wastescreen agencies list`."),
    "not_your_agency": _p("Khóa của cơ quan chỉ được nộp đề xuất của chính cơ quan đó.",
                          "An agency key may only file its own agency's proposals."),
    # what the service cannot do now
    "model_not_ready": _p("Chưa có mô hình rủi ro: chạy `wastescreen train` rồi khởi động lại.",
                          "No risk model is loaded yet: run `wastescreen train` and restart."),
    "pdf_unavailable": _p("Máy chủ thiếu Pango và HarfBuzz để tạo PDF (xem README); báo cáo "
                          "HTML vẫn dùng được.",
                          "PDF rendering needs Pango and HarfBuzz on the server (see the "
                          "README); the HTML report is available."),
    "internal_error": _p("Đã xảy ra lỗi ngoài dự kiến; khi báo lỗi, hãy nêu mã yêu cầu "
                         "{request_id}.",
                         "An unexpected error occurred; quote request id {request_id} when "
                         "you report it."),
    "http_error": _p("Không thực hiện được yêu cầu (mã {status}).",
                     "The request could not be done (status {status})."),
    "cluster_extra_missing": _p("Sàng lọc trên cụm Dask cần gói mở rộng cluster: pip install "
                                "'wastescreen[cluster]' (hoặc .venv/bin/pip install -e "
                                "'.[cluster]').",
                                "Screening on a Dask cluster needs the cluster extra: pip "
                                "install 'wastescreen[cluster]' (or .venv/bin/pip install -e "
                                "'.[cluster]')."),
    # files (batch uploads, registry imports)
    "file_type": _p("{name}: cần tệp .csv hoặc .xlsx, không phải '{suffix}'.",
                    "{name}: expected a .csv or .xlsx file, not '{suffix}'."),
    "file_not_utf8": _p("{name}: tệp CSV không ở mã UTF-8. Trong Excel, chọn Lưu thành → "
                        "\"CSV UTF-8 (phân cách bằng dấu phẩy)\", hoặc tải lên tệp .xlsx.",
                        "{name}: the CSV file is not UTF-8. In Excel, choose Save as → "
                        "\"CSV UTF-8 (Comma delimited)\", or upload the .xlsx file."),
    "file_unreadable": _p("{name}: không đọc được như một tệp CSV/XLSX.",
                          "{name}: not a readable CSV/XLSX file."),
    "file_too_many_rows": _p("{name}: {n} dòng; mỗi lô tối đa {max} dòng.",
                             "{name}: {n} rows; at most {max} per batch."),
    "file_cannot_read": _p("{name}: không mở được tệp ({reason}).",
                           "{name}: cannot be read ({reason})."),
}
MESSAGES.update(PROBLEMS)


@runtime_checkable
class Said(Protocol):
    """A value that is itself words in the reader's language (a field error's message)."""

    def text(self, lang: Lang) -> str: ...


@dataclass(frozen=True)
class Msg:
    """One message to be said: ``key`` of ``MESSAGES`` and the values it names."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        """The message in ``lang``; whole numbers among the values by the locale rule, and
        values that are words (``Said``) in ``lang`` too."""
        return fill(MESSAGES[self.key][lang], lang, self.values)

    def __str__(self) -> str:  # logs and exceptions read English
        return self.text("en")


def fill(template: str, lang: Lang, values: Mapping[str, object]) -> str:
    """``template`` with ``values``: whole numbers by the locale rule, words (``Said``) in
    ``lang``, the rest as they are."""
    shown = {k: v.text(lang) if isinstance(v, Said) else
             number(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v
             for k, v in values.items()}
    return template.format(**shown)


def msg(key: str, **values: object) -> Msg:
    """``Msg(key, values)``, refusing an unknown key at once rather than when it is shown."""
    if key not in MESSAGES:
        raise KeyError(f"no message {key!r} in core.labels.messages")
    return Msg(key, values)
