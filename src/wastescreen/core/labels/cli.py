"""What the ``wastescreen`` command says, in both languages (``--lang`` or
``WASTESCREEN_LANG``; Vietnamese by default). Refusals shared with the API (unreadable files,
no model yet) are in ``messages``; the validation rules in ``rules``.

Keys starting ``stage_`` are the lines of a long command's progress: on a terminal they are the
live status, in a log one line each.
"""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "bad_lang": _p("--lang phải là vi hoặc en.", "--lang must be vi or en."),
    "bad_choice": _p("{option} phải là một trong: {choices}.",
                     "{option} must be one of: {choices}."),
    "needs_out": _p("Cần --out TỆP để ghi html hoặc pdf.",
                    "--out FILE is needed for html and pdf."),
    # keys, agencies, audit, models
    "key_created": _p("Đã tạo khóa {id} ({who}). Hãy lưu lại ngay: khóa không được hiển thị "
                      "lần nữa.",
                      "Created key {id} ({who}). Store it now: it is not shown again."),
    "key_revoked": _p("Đã thu hồi khóa {id}.", "Key {id} revoked."),
    "agency_added": _p("Đã thêm cơ quan: {name}", "Agency added: {name}"),
    "agency_known": _p("Đã có trong danh sách với tên: {name}", "Already known as: {name}"),
    "col_agency": _p("cơ quan", "agency"),
    "col_source": _p("nguồn", "source"),
    "col_added": _p("thêm lúc", "added"),
    "model_current": _p("Mô hình {version} đang được dùng.", "Model {version} is current."),
    # registry import
    "import_title": _p("Nhập {name} ({kind})", "Import of {name} ({kind})"),
    "col_rows_read": _p("dòng đã đọc", "rows read"),
    "col_accepted": _p("chấp nhận", "accepted"),
    "col_inserted": _p("thêm mới", "inserted"),
    "col_updated": _p("cập nhật", "updated"),
    "col_unchanged": _p("không đổi", "unchanged"),
    "col_rejected": _p("bị từ chối", "rejected"),
    "col_merged": _p("gộp do trùng", "merged duplicates"),
    "import_rejected": _p("Bị từ chối: dòng {row}, {field}: {reason}",
                          "Rejected: row {row}, {field}: {reason}"),
    "import_merged": _p("Gộp do trùng: dòng {row}, {field}: {reason}",
                        "Merged as duplicates: row {row}, {field}: {reason}"),
    "import_note": _p("Ghi chú: dòng {row}, {field}: {reason}",
                      "Note: row {row}, {field}: {reason}"),
    "import_revision": _p("Đã ghi phiên bản sổ đăng ký {revision}.",
                          "Registry revision {revision} recorded."),
    # train
    "train_nothing": _p("Đã có mô hình huấn luyện với các đặc trưng này đang dùng; không huấn "
                        "luyện lại.",
                        "A model trained with these features is already promoted; nothing "
                        "trained."),
    "train_done": _p("Đã đăng ký mô hình {version} ({elapsed}).",
                     "Model {version} registered ({elapsed})."),
    "train_done_promoted": _p("Đã đăng ký mô hình {version} và đưa vào sử dụng ({elapsed}).",
                              "Model {version} registered and promoted ({elapsed})."),
    "train_failed": _p("Không huấn luyện được: {reason}", "Training failed: {reason}"),
    "stage_train_read": _p("Đọc lịch sử đề xuất và sổ đăng ký", "Reading the history and the "
                           "registry"),
    "stage_train_features": _p("Dựng đặc trưng cho {n} đề xuất (so với {labs} phòng thí "
                               "nghiệm, {programs} chương trình)",
                               "Building features for {n} proposals (against {labs} labs, "
                               "{programs} programs)"),
    "stage_train_target": _p("Huấn luyện mô hình {i}/{n}: {target} ({rows} đề xuất đã duyệt)",
                             "Training model {i}/{n}: {target} ({rows} approved proposals)"),
    "stage_train_register": _p("Ghi các mô hình và thẻ mô hình",
                               "Saving the models and the model card"),
    "stage_train_promote": _p("Đưa mô hình {version} vào sử dụng",
                              "Promoting model {version}"),
    "elapsed": _p("{s} giây", "{s} s"),
    # screen
    "proposal_invalid": _p("{field}: {message} (quy tắc {rule})",
                           "{field}: {message} (rule {rule})"),
    "report_written": _p("Đã ghi báo cáo vào {out} (lượt sàng lọc {id}, mức rủi ro {band}).",
                         "Report written to {out} (screening {id}, band {band})."),
    # batch
    "batch_screening": _p("Sàng lọc", "Screening"),
    "batch_cluster": _p("Sàng lọc {n} dòng trên {scheduler}", "Screening {n} rows on {scheduler}"),
    "batch_done": _p("{ok} dòng đã sàng lọc, {bad} dòng lỗi; kết quả ở {out}",
                     "{ok} rows screened, {bad} invalid; results in {out}"),
    "batch_row_errors": _p("Dòng {row}: {errors}", "Row {row}: {errors}"),
    # serve
    "serving": _p("Phục vụ tại http://{host}:{port} — trang cho người thẩm tra: /ui, tài liệu "
                  "API: /docs. Dừng bằng Ctrl+C.",
                  "Serving on http://{host}:{port} — reviewer pages: /ui, API docs: /docs. "
                  "Stop with Ctrl+C."),
}
