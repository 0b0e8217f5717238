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
    "model_unknown": _p("Không có phiên bản mô hình {version} (xem `wastescreen models list`).",
                        "No model version {version} (see `wastescreen models list`)."),
    "model_integrity": _p("Từ chối nạp {path}: mã SHA-256 của tệp khác với mã đã ghi; tệp đã "
                          "bị thay đổi hoặc không thuộc phiên bản mô hình này.",
                          "Refusing to load {path}: its SHA-256 differs from the one recorded; "
                          "the file was changed or does not belong to this model version."),
    "col_id": _p("số", "id"),
    "col_prefix": _p("tiền tố", "prefix"),
    "col_role": _p("vai trò", "role"),
    "col_label": _p("ghi chú", "label"),
    "col_created": _p("tạo lúc", "created"),
    "col_revoked": _p("thu hồi lúc", "revoked"),
    "col_version": _p("phiên bản", "version"),
    "col_current": _p("đang dùng", "current"),
    "col_synthetic": _p("dữ liệu tổng hợp", "synthetic"),
    "col_rows": _p("số dòng", "rows"),
    "col_auc": _p("AUC kiểm định theo mục tiêu", "validation AUC by target"),
    "audit_broken": _p("nhật ký kiểm toán BỊ HỎNG: {n} vấn đề, {events} sự kiện",
                       "audit trail BROKEN: {n} problem(s), {events} events"),
    "audit_intact": _p("nhật ký kiểm toán nguyên vẹn: {events} sự kiện (đã kiểm tra chuỗi băm, "
                       "MAC{anchor}, các bản ghi đã lưu)",
                       "audit trail intact: {events} events (hash chain, MACs{anchor}, stored "
                       "records verified)"),
    "audit_anchor_checked": _p(", mốc neo", ", anchor"),
    # reproduce
    "repro_not_found": _p("Không có lượt sàng lọc {id}.", "No screening {id}."),
    "repro_note": _p("ghi chú: {note}", "note: {note}"),
    "repro_differs": _p("khác: {field}: đã lưu {stored}, nay {now}",
                        "differs: {field}: stored {stored}, now {now}"),
    "repro_why": _p(" ({why})", " ({why})"),
    "repro_failed": _p("lượt sàng lọc {id} KHÔNG tái lập được: {n} trường khác",
                       "screening {id} NOT reproduced: {n} field(s) differ"),
    "repro_identical": _p("lượt sàng lọc {id} được tái lập: giống hệt",
                          "screening {id} reproduced: identical"),
    # demo
    "version": _p("wastescreen phiên bản {version}", "wastescreen {version}"),
    "demo_not_empty_skip": _p("Cơ sở dữ liệu đã có dữ liệu; không ghi danh mục mẫu.",
                              "The database already holds data; demo portfolio not written."),
    "demo_not_empty": _p("Cơ sở dữ liệu không trống; danh mục mẫu chỉ được ghi vào một cơ sở dữ "
                         "liệu trống.",
                         "The database is not empty; the demo portfolio is only written into an "
                         "empty database."),
    "stage_demo_generate": _p("Sinh danh mục mẫu ({n} đề xuất trước đây)",
                              "Generating the demo portfolio ({n} past proposals)"),
    "stage_demo_write": _p("Ghi bảng {table} ({n} dòng)", "Writing {table} ({n} rows)"),
    "demo_written": _p("Đã ghi danh mục mẫu (dữ liệu tổng hợp): {labs} phòng thí nghiệm "
                       "({equipment} thiết bị), {programs} chương trình, {proposals} đề xuất "
                       "trước đây ({outcomes} có kết quả).",
                       "Demo portfolio written (synthetic data): {labs} labs ({equipment} "
                       "equipment items), {programs} programs, {proposals} past proposals "
                       "({outcomes} with outcomes)."),
    "stage_cycle_filing": _p("Nộp và sàng lọc hồ sơ kỳ hiện tại: {done}/{total}",
                             "Filing and screening the current cycle: {done}/{total}"),
    "cycle_not_demo": _p("Cơ sở dữ liệu này không có danh mục mẫu: chạy `wastescreen demo`.",
                         "No demo portfolio in this database: run `wastescreen demo`."),
    "cycle_exists": _p("Kỳ hiện tại đã có hồ sơ nộp; không nộp thêm.",
                       "The current cycle already has submissions; nothing filed."),
    "cycle_filed": _p("Đã nộp kỳ hiện tại {cycle} (dữ liệu tổng hợp): {n} đề xuất của "
                      "{agencies} cơ quan, đã sàng lọc ({high} cao, {medium} trung bình, {low} "
                      "thấp); {decided} đã quyết định ({history} có hơn một quyết định), "
                      "{revise} trong số đó trả lại để sửa đổi, {revised} đã nộp bản sửa đổi. "
                      "Các trường hợp cài sẵn: mã tham chiếu DEMO-{cycle}-COPY-NN, -HELD-NN, "
                      "-DUP-NNX và -CLEAN-NN.",
                      "Current cycle {cycle} filed (synthetic data): {n} proposals from "
                      "{agencies} agencies, screened ({high} high, {medium} medium, {low} low); "
                      "{decided} decided ({history} with more than one decision), {revise} of "
                      "them sent back for revision, {revised} revised. Planted cases: reference "
                      "codes DEMO-{cycle}-COPY-NN, -HELD-NN, -DUP-NNX and -CLEAN-NN."),
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
