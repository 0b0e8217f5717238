"""The ``--help`` of the ``wastescreen`` command, in both languages: command groups (``group_``),
commands (``cmd_``) and their options and arguments (``opt_``). The language is chosen before
the commands are built (``cli.lang.helps``): ``--lang`` on the command line, else
``WASTESCREEN_LANG``, else Vietnamese.
"""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

HELP: dict[str, dict[Lang, str]] = {
    # groups
    "group_app": _p("Sàng lọc đề xuất đầu tư khoa học và công nghệ về rủi ro lãng phí và trùng "
                    "lặp.",
                    "Screen S&T investment proposals for waste and redundancy risk."),
    "group_registry": _p("Sổ đăng ký các phòng thí nghiệm và chương trình hiện có.",
                         "The registry of existing labs and programs."),
    "group_keys": _p("Khóa API (chỉ hiện một lần, lưu dạng băm).",
                     "API keys (shown once, stored hashed)."),
    "group_agencies": _p("Các cơ quan đã biết (chỉ tạo khóa cho các cơ quan này).",
                         "The known agencies (keys are made only for these)."),
    "group_audit": _p("Nhật ký kiểm toán chống sửa đổi.", "The tamper-evident audit trail."),
    "group_models": _p("Các mô hình rủi ro đã đăng ký.", "Registered risk models."),
    "group_demo": _p("Ghi danh mục mẫu tổng hợp (phòng thí nghiệm, chương trình, đề xuất trước "
                     "đây) vào một cơ sở dữ liệu trống; `demo cycle` sau đó nộp kỳ ngân sách "
                     "hiện tại, khi đã có mô hình.",
                     "Write the synthetic demo portfolio (labs, programs, past proposals) into "
                     "an empty database; `demo cycle` then files its current budget cycle, once "
                     "a model is trained."),
    # commands
    "cmd_version": _p("In phiên bản wastescreen.", "Print the wastescreen version."),
    "cmd_demo_cycle": _p("Nộp kỳ ngân sách hiện tại của bản mẫu: mọi đề xuất được sàng lọc, một "
                         "số đã có quyết định. Cần danh mục mẫu và một mô hình đã huấn luyện.",
                         "File the demo's current budget cycle, every proposal screened and "
                         "some decided. Needs the demo portfolio and a trained model."),
    "cmd_registry_import": _p("Nhập phòng thí nghiệm hoặc chương trình từ CSV/XLSX và in báo "
                              "cáo chất lượng dữ liệu.",
                              "Import labs or programs from CSV/XLSX and print the "
                              "data-quality report."),
    "cmd_serve": _p("Phục vụ API và các trang thẩm tra (http://HOST:PORT, tài liệu OpenAPI ở "
                    "/docs).",
                    "Serve the API and the reviewer pages (http://HOST:PORT, OpenAPI at "
                    "/docs)."),
    "cmd_train": _p("Huấn luyện, hiệu chỉnh, đánh giá và đăng ký các mô hình rủi ro (tiến độ "
                    "trên màn hình, mỗi giai đoạn một dòng trong nhật ký).",
                    "Train, calibrate, evaluate and register the risk models (progress on a "
                    "terminal, one line per stage in a log)."),
    "cmd_screen": _p("Sàng lọc một đề xuất (lưu như một lượt kiểm tra trước) và in kết quả "
                     "hoặc ghi báo cáo.",
                     "Screen one proposal (stored as a pre-check) and print the result or "
                     "write the report."),
    "cmd_batch": _p("Sàng lọc một tệp đề xuất; các dòng không hợp lệ được liệt kê với trường "
                    "và quy tắc.",
                    "Screen a file of proposals; invalid rows are listed with their field and "
                    "rule."),
    "cmd_keys_create": _p("Tạo một khóa API. Khóa được in một lần, riêng ở dòng cuối; chỉ lưu "
                          "mã băm của nó.",
                          "Create an API key. The key is printed once, alone on the last line; "
                          "only its hash is kept."),
    "cmd_keys_revoke": _p("Thu hồi một khóa.", "Revoke a key."),
    "cmd_keys_list": _p("Liệt kê các khóa (số, tiền tố, vai trò, cơ quan, thu hồi); không bao "
                        "giờ in chính khóa.",
                        "List keys (id, prefix, role, agency, revoked); never the keys "
                        "themselves."),
    "cmd_agencies_add": _p("Thêm một cơ quan vào danh sách đã biết (cơ quan quản lý và cơ quan "
                           "chủ trì trong sổ đăng ký đã có sẵn).",
                           "Make an agency known (the registry's managing and host agencies "
                           "are known already)."),
    "cmd_agencies_list": _p("Liệt kê các cơ quan đã biết và nguồn của mỗi cơ quan.",
                            "List the known agencies and where each comes from."),
    "cmd_audit_verify": _p("Kiểm tra nhật ký kiểm toán: chuỗi băm và MAC, mốc neo nếu có, và "
                           "mọi lượt sàng lọc, quyết định đã lưu so với sự kiện ghi nhận nó; "
                           "thoát với mã 1 và nêu từng vấn đề.",
                           "Check the audit trail: its hash chain and MACs, the anchor if "
                           "given, and every stored screening and decision against the event "
                           "that recorded it; exit 1 naming each problem."),
    "cmd_audit_anchor": _p("In đầu nhật ký (số, mã băm, MAC, thời điểm) dạng JSON: giữ nó bên "
                           "ngoài hệ thống và đưa cho `audit verify --anchor` sau này.",
                           "Print the head of the trail (seq, hash, MAC, time) as JSON: keep it "
                           "outside the system and give it to `audit verify --anchor` later."),
    "cmd_models_list": _p("Các phiên bản đã đăng ký, chỉ số chính và phiên bản đang dùng.",
                          "Registered versions, their key metrics, and which one is current."),
    "cmd_models_show": _p("In thẻ mô hình dạng JSON.", "Print a model card as JSON."),
    "cmd_models_promote": _p("Đưa một phiên bản vào sử dụng (kiểm tra mã băm các tệp trước).",
                             "Make a version current (its files are hash-checked first)."),
    "cmd_reproduce": _p("Chạy lại một lượt sàng lọc đã lưu từ những gì được ghi cùng nó; thoát "
                        "với mã 1 và nêu mọi trường khác biệt (và lý do, khi biết).",
                        "Re-run a stored screening from what was recorded with it; exit 1 and "
                        "name every field that differs (and why, when known)."),
    # options and arguments
    "opt_lang": _p("Ngôn ngữ thông báo: vi hoặc en (mặc định: WASTESCREEN_LANG, nếu không "
                   "thì vi).",
                   "Language of the messages: vi or en (default: WASTESCREEN_LANG, else vi)."),
    "opt_seed": _p("Hạt giống của bộ sinh (cùng hạt giống, cùng dữ liệu).",
                   "Seed of the generator (same seed, same data)."),
    "opt_demo_if_empty": _p("Không làm gì khi cơ sở dữ liệu đã có sổ đăng ký hoặc đề xuất.",
                            "Do nothing when the database already holds a registry or "
                            "proposals."),
    "opt_n_proposals": _p("Số đề xuất trước đây cần sinh.", "Historical proposals to generate."),
    "opt_cycle_if_empty": _p("Không làm gì khi kỳ hiện tại đã có hồ sơ nộp.",
                             "Do nothing when the current cycle already has submissions."),
    "opt_cycle_n": _p("Số đề xuất trong kỳ (ít nhất 60).", "Proposals in the cycle (at least 60)."),
    "opt_import_file": _p("Tệp CSV hoặc XLSX.", "CSV or XLSX file."),
    "opt_kind": _p("lab (phòng thí nghiệm) hoặc program (chương trình)", "lab or program"),
    "opt_host": _p("Địa chỉ lắng nghe.", "Address to bind."),
    "opt_port": _p("Cổng.", "Port."),
    "opt_workers": _p("Số tiến trình xử lý.", "Worker processes."),
    "opt_from": _p("Tệp CSV/Parquet các đề xuất trước đây (định dạng phẳng); mặc định: cơ sở "
                   "dữ liệu.",
                   "CSV/Parquet of historical proposals (flat format); default: the "
                   "database."),
    "opt_if_missing": _p("Không làm gì khi đã có mô hình đang dùng được huấn luyện với các đặc "
                         "trưng của mã này.",
                         "Do nothing when a model is already promoted and was trained with "
                         "this code's features."),
    "opt_promote": _p("Đưa mô hình mới vào sử dụng.", "Make the new model current."),
    "opt_synthetic": _p("Đánh dấu dữ liệu huấn luyện là tổng hợp (mặc định: có, khi cơ sở dữ "
                        "liệu chứa danh mục mẫu).",
                        "Mark the training data as synthetic (default: yes when the database "
                        "holds the demo portfolio)."),
    "opt_proposal_file": _p("Một đề xuất dạng JSON.", "A proposal as JSON."),
    "opt_format": _p("json, html hoặc pdf", "json, html or pdf"),
    "opt_out": _p("Ghi kết quả vào đây.", "Write the output here."),
    "opt_report_lang": _p("vi hoặc en: ngôn ngữ của báo cáo (mặc định: ngôn ngữ thông báo)",
                          "vi or en: the report's language (default: the messages' language)"),
    "opt_batch_file": _p("CSV hoặc XLSX, mỗi dòng một đề xuất.",
                         "CSV or XLSX, one proposal per row."),
    "opt_batch_out": _p("Kết quả, .csv hoặc .json.", "Results, .csv or .json."),
    "opt_scheduler": _p("Địa chỉ bộ điều phối Dask (tcp://HOST:PORT).",
                        "Dask scheduler address (tcp://HOST:PORT)."),
    "opt_role": _p("agency (cơ quan), reviewer (thẩm tra), auditor (kiểm toán) hoặc admin "
                   "(quản trị)",
                   "agency, reviewer, auditor or admin"),
    "opt_agency": _p("Cơ quan (chỉ với khóa của cơ quan).", "The agency (agency keys only)."),
    "opt_label": _p("Ghi chú về khóa.", "A note about the key."),
    "opt_holder": _p("Người giữ khóa: các quyết định của họ mang tên này.",
                     "The person who holds it: their decisions carry this name."),
    "opt_agency_name": _p("Tên cơ quan như được hiển thị.", "The agency's name as shown."),
    "opt_key_id": _p("Số của khóa (xem keys list).", "Key id (see keys list)."),
    "opt_anchor": _p("Một mốc neo đã giữ trước đó (wastescreen audit anchor > TỆP).",
                     "An anchor kept earlier (wastescreen audit anchor > FILE)."),
    "opt_model_version": _p("Phiên bản (xem models list).", "Version (see models list)."),
    "opt_promote_version": _p("Phiên bản cần đưa vào sử dụng.", "Version to make current."),
    "opt_screening_id": _p("Mã của lượt sàng lọc.", "The screening's id."),
}
