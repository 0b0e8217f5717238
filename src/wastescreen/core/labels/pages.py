"""Bilingual words of the web pages: navigation, forms, page titles and page errors."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "app": _p("wastescreen — sàng lọc rủi ro lãng phí", "wastescreen — waste-risk screening"),
    "skip": _p("Bỏ qua tới nội dung", "Skip to content"),
    "nav": _p("Điều hướng", "Navigation"),
    "nav_queue": _p("Hàng đợi thẩm tra", "Review queue"),
    "nav_portfolio": _p("Danh mục", "Portfolio"),
    "nav_submit": _p("Nộp đề xuất", "Submit a proposal"),
    "nav_batch": _p("Kiểm tra theo lô", "Batch pre-check"),
    "nav_public": _p("Chỉ số công khai", "Public indicators"),
    "nav_login": _p("Đăng nhập", "Sign in"),
    "logout": _p("Đăng xuất", "Sign out"),
    "switch_lang": _p("English", "Tiếng Việt"),
    "signed_in_as": _p("Đăng nhập với vai trò", "Signed in as"),
    "role_agency": _p("cơ quan", "agency"),
    "role_reviewer": _p("người thẩm tra", "reviewer"),
    "role_auditor": _p("kiểm toán", "auditor"),
    "role_admin": _p("quản trị", "admin"),
    "synthetic": _p("Mô hình minh họa, huấn luyện trên dữ liệu tổng hợp — không dùng để ra "
                    "quyết định thật.",
                    "Demo model trained on synthetic data — not for real decisions."),
    "footer": _p("Điểm số là công cụ hỗ trợ thẩm tra, không thay thế quyết định của người có "
                 "thẩm quyền.",
                 "Scores support the review; they do not replace the decision of the competent "
                 "authority."),
    # login
    "login_title": _p("Đăng nhập", "Sign in"),
    "login_intro": _p("Dán khóa API do quản trị viên cấp. Khóa được giữ trong cookie của trình "
                      "duyệt này cho tới khi bạn đăng xuất.",
                      "Paste the API key your administrator gave you. It is kept in a cookie of "
                      "this browser until you sign out."),
    "api_key": _p("Khóa API", "API key"),
    "login_button": _p("Đăng nhập", "Sign in"),
    "login_failed": _p("Khóa không đúng hoặc đã bị thu hồi.", "Unknown or revoked key."),
    # queue
    "queue_title": _p("Hàng đợi thẩm tra", "Review queue"),
    "queue_intro": _p("Các đề xuất đã nộp chính thức của kỳ, xếp theo điểm rủi ro từ cao xuống "
                      "thấp.",
                      "The cycle's formal submissions, riskiest first."),
    "filters": _p("Bộ lọc", "Filters"),
    "all": _p("Tất cả", "All"),
    "apply": _p("Lọc", "Apply"),
    "reset": _p("Bỏ lọc", "Clear"),
    "status": _p("Trạng thái", "Status"),
    "status_queued": _p("Chờ quyết định", "Awaiting decision"),
    "status_decided": _p("Đã quyết định", "Decided"),
    "status_precheck": _p("Kiểm tra trước", "Pre-check"),
    "rank": _p("#", "#"),
    "title": _p("Tên đề xuất", "Title"),
    "score": _p("Điểm rủi ro", "Risk score"),
    "band": _p("Mức rủi ro", "Risk band"),
    "count_of": _p("{n} đề xuất", "{n} proposals"),
    "none_found": _p("Không có đề xuất nào khớp bộ lọc.", "No proposal matches the filters."),
    "prev": _p("← Trang trước", "← Previous"),
    "next": _p("Trang sau →", "Next →"),
    "page_of": _p("Trang {page}/{pages}", "Page {page} of {pages}"),
    "pagination": _p("Phân trang", "Pagination"),
    # screening page
    "back_to_queue": _p("Quay lại hàng đợi", "Back to the queue"),
    "download_pdf": _p("Tải báo cáo PDF", "Download the PDF report"),
    "decision_saved": _p("Đã ghi nhận quyết định.", "The decision was recorded."),
    "precheck_note": _p("Đây là kết quả kiểm tra trước: không vào hàng đợi và không cần quyết "
                        "định.",
                        "This is a pre-check: it is not queued and is not decided on."),
    "decide_title": _p("Ghi nhận quyết định", "Record a decision"),
    "decide_intro": _p("Quyết định khác với mức rủi ro của mô hình sẽ được đánh dấu là ngoại lệ "
                       "và ghi vào nhật ký kiểm toán.",
                       "A decision against the model's band is flagged as an override and "
                       "written to the audit trail."),
    "decision": _p("Quyết định", "Decision"),
    "rationale": _p("Lý do (bắt buộc)", "Rationale (required)"),
    "record": _p("Ghi nhận quyết định", "Record the decision"),
    "decision_required": _p("Chọn một quyết định.", "Choose a decision."),
    "rationale_required": _p("Ghi lý do của quyết định.", "Give the reason for the decision."),
    # submit
    "submit_title": _p("Nộp hoặc kiểm tra trước một đề xuất", "Submit or pre-check a proposal"),
    "submit_intro": _p("Điền các trường dưới đây, hoặc tải lên một tệp JSON của đề xuất (tệp "
                       "thay cho các trường). Danh mục thiết bị, chỉ tiêu và nhà nghiên cứu là "
                       "mảng JSON.",
                       "Fill in the fields below, or upload a proposal as a JSON file (the file "
                       "replaces the fields). Equipment, KPIs and researchers are JSON arrays."),
    "kind": _p("Loại", "Kind"),
    "kind_submission": _p("Nộp chính thức (vào hàng đợi thẩm tra)",
                          "Formal submission (queued for review)"),
    "kind_precheck": _p("Chỉ kiểm tra trước (không nộp)", "Pre-check only (not filed)"),
    "proposal_file": _p("Hoặc tải lên tệp JSON của đề xuất", "Or upload the proposal as JSON"),
    "sec_basic": _p("Thông tin chung", "General"),
    "sec_budget": _p("Kinh phí (đồng)", "Budget (VND)"),
    "sec_schedule": _p("Tiến độ và mức sẵn sàng công nghệ", "Schedule and readiness"),
    "sec_lists": _p("Thiết bị, chỉ tiêu, nhân lực", "Equipment, outputs, people"),
    "sec_use": _p("Vận hành và dùng chung", "Operation and sharing"),
    "send": _p("Gửi", "Send"),
    "errors_title": _p("Đề xuất chưa hợp lệ — sửa các trường sau:",
                       "The proposal is not valid — fix these fields:"),
    "choose": _p("— chọn —", "— choose —"),
    "json_hint": _p("Mảng JSON, ví dụ: ", "A JSON array, e.g. "),
    "vnd_hint": _p("Số đồng, có thể viết 1.500.000.000", "Whole VND, 1,500,000,000 is fine"),
    "f_title": _p("Tên đề xuất", "Title"),
    "f_managing_level": _p("Cấp quản lý", "Managing level"),
    "f_budget_equipment_vnd": _p("Thiết bị", "Equipment"),
    "f_budget_construction_vnd": _p("Xây dựng", "Construction"),
    "f_budget_personnel_vnd": _p("Nhân lực", "Personnel"),
    "f_budget_operations_vnd": _p("Hoạt động", "Operations"),
    "f_budget_other_vnd": _p("Khác", "Other"),
    "f_budget": _p("Cơ cấu kinh phí", "Budget breakdown"),
    "f_cofunding_vnd": _p("Vốn đối ứng (đồng)", "Co-funding (VND)"),
    "f_submitted_on": _p("Ngày nộp", "Submitted on"),
    "f_start_date": _p("Ngày bắt đầu", "Start date"),
    "f_duration_months": _p("Thời gian thực hiện (tháng)", "Duration (months)"),
    "f_trl_start": _p("Mức sẵn sàng công nghệ hiện tại (TRL)", "Current readiness level (TRL)"),
    "f_trl_target": _p("Mức sẵn sàng công nghệ mục tiêu (TRL)", "Target readiness level (TRL)"),
    "f_technology_area_version": _p("Phiên bản danh mục lĩnh vực", "Area list version"),
    "f_proposal_file": _p("Tệp JSON", "JSON file"),
    "level_ministry": _p("Bộ, ngành", "Ministry"),
    "level_province": _p("Tỉnh, thành phố", "Province"),
    "not_your_agency": _p("Khóa của cơ quan chỉ được nộp đề xuất của chính cơ quan đó.",
                          "An agency key may only file its own agency's proposals."),
    # batch
    "batch_title": _p("Kiểm tra trước theo lô", "Batch pre-check"),
    "batch_intro": _p("Tải lên tệp CSV (UTF-8) hoặc XLSX, mỗi dòng một đề xuất theo định dạng "
                      "phẳng; tối đa {n} dòng. Mỗi dòng hợp lệ được sàng lọc như một lần kiểm "
                      "tra trước (không nộp).",
                      "Upload a CSV (UTF-8) or XLSX file, one proposal per row in the flat "
                      "format; at most {n} rows. Each valid row is screened as a pre-check "
                      "(not filed)."),
    "batch_template": _p("Tải tệp mẫu (tiêu đề cột)", "Download the template (column headers)"),
    "batch_file": _p("Tệp CSV hoặc XLSX", "CSV or XLSX file"),
    "batch_send": _p("Kiểm tra", "Check"),
    "batch_summary": _p("{ok} dòng đã sàng lọc, {bad} dòng lỗi.",
                        "{ok} rows screened, {bad} rows with errors."),
    "line": _p("Dòng", "Line"),
    "line_note": _p("Số dòng tính cả dòng tiêu đề (dòng 1).",
                    "Line numbers count the header as line 1."),
    "result": _p("Kết quả", "Result"),
    "field": _p("Trường", "Field"),
    "rule": _p("Quy tắc", "Rule"),
    "message": _p("Chi tiết", "Detail"),
    "open_report": _p("Xem báo cáo", "Open the report"),
    "no_file": _p("Chọn một tệp để tải lên.", "Choose a file to upload."),
    # portfolio
    "portfolio_title": _p("Rủi ro của danh mục", "Portfolio risk"),
    "portfolio_intro": _p("Rủi ro theo cơ quan, cấp quản lý, địa phương và lĩnh vực công nghệ "
                          "của các đề xuất nộp chính thức trong kỳ.",
                          "Risk by agency, managing level, province and technology area of the "
                          "cycle's formal submissions."),
    "by_agency": _p("Theo cơ quan đề xuất", "By agency"),
    "by_level": _p("Theo cấp quản lý", "By managing level"),
    "by_province": _p("Theo địa phương", "By province"),
    "by_area": _p("Theo lĩnh vực công nghệ", "By technology area"),
    "group": _p("Nhóm", "Group"),
    "proposals": _p("Số đề xuất", "Proposals"),
    "mean_score": _p("Điểm trung bình", "Mean score"),
    "high_share": _p("Tỷ lệ rủi ro cao", "Share high risk"),
    "total_budget": _p("Tổng kinh phí", "Total budget"),
    "clusters_title": _p("Các nhóm đề xuất trùng nhau — ứng viên hợp nhất",
                         "Clusters of overlapping proposals — candidates for consolidation"),
    "clusters_intro": _p("Các đề xuất cùng kỳ của các cơ quan khác nhau có mức trùng từ {t} trở "
                         "lên được nối với nhau; mỗi nhóm là một thành phần liên thông. Xếp theo "
                         "tổng kinh phí.",
                         "Same-cycle proposals of different agencies that overlap by {t} or more "
                         "are linked; each cluster is a connected group. Largest total budget "
                         "first."),
    "cluster": _p("Nhóm {i}: {n} đề xuất, {a} cơ quan, tổng {b}",
                  "Cluster {i}: {n} proposals, {a} agencies, {b} in total"),
    "best_overlap": _p("Mức trùng cao nhất", "Highest overlap"),
    "no_clusters": _p("Không có nhóm đề xuất trùng nhau.", "No overlapping proposals."),
    "total": _p("Tổng cộng", "Total"),
    "cycle": _p("Kỳ ngân sách", "Budget cycle"),
    "show": _p("Xem", "Show"),
    # public
    "public_title": _p("Chỉ số công khai về sàng lọc rủi ro lãng phí",
                       "Public waste-screening indicators"),
    "public_intro": _p("Số liệu tổng hợp theo cơ quan của các đề xuất nộp chính thức: không nêu "
                       "tên hay nội dung của đề xuất nào. Ngoại lệ là quyết định khác với mức "
                       "rủi ro của mô hình.",
                       "Aggregates per agency of the formal submissions: no proposal is named "
                       "or described. An override is a decision against the model's band."),
    "screened": _p("Đề xuất đã sàng lọc", "Proposals screened"),
    "high_count": _p("Rủi ro cao", "High risk"),
    "decided": _p("Đã quyết định", "Decided"),
    "overrides": _p("Ngoại lệ", "Overrides"),
    "override_share": _p("Tỷ lệ ngoại lệ", "Override share"),
    "download_csv": _p("Tải CSV", "Download CSV"),
    # errors
    "error_title": _p("Không thực hiện được", "Cannot do that"),
    "err_403": _p("Vai trò của bạn không được làm việc này.", "Your role may not do this."),
    "err_404": _p("Không tìm thấy.", "Not found."),
    "err_422": _p("Địa chỉ hoặc tham số chứa ký tự điều khiển không được phép.",
                  "The address or one of its parameters holds a control character."),
    "err_429": _p("Quá nhiều yêu cầu; thử lại sau ít phút.",
                  "Too many requests; try again in a minute."),
    "err_503": _p("Chưa có mô hình rủi ro: chạy `wastescreen train` rồi khởi động lại.",
                  "No risk model is loaded yet: run `wastescreen train` and restart."),
    "err_cross_site": _p("Biểu mẫu gửi từ trang khác bị từ chối.",
                         "A form sent from another site is refused."),
}
