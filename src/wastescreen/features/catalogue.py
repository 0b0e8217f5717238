"""The feature catalogue: every model input, what it means, and how it is said in a report.

Each entry gives the feature's name, type, description, the direction in which it raises risk,
the kinds of waste it bears on (with a monotone constraint where the domain demands one), its
display format, and the plain sentence used when it drives a score, in Vietnamese and English.
Sentences take ``{value}`` (this proposal's value, formatted) and ``{comparison}`` (a comparison
point such as the range planned by comparable approved projects).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["numeric", "boolean", "categorical"]
Format = Literal["score", "percent", "count", "ratio", "log10_vnd", "bool", "category", "trl"]
TARGETS = ("redundancy", "idle_assets", "non_delivery")
LABELS = {"redundancy": "duplication_found", "idle_assets": "idle_assets",
          "non_delivery": "outputs_not_delivered"}
# Overlap and under-used-capacity features never lower any score: more overlap with existing
# work is never evidence of less waste. Constrained for every target, since the overall score
# (the chance of any waste) combines them all.
OVERLAP: dict[str, int] = {t: +1 for t in TARGETS}


@dataclass(frozen=True)
class FeatureDef:
    """One catalogue entry. ``direction``: +1 higher raises risk, -1 lowers it, 0 depends."""

    name: str
    kind: Kind
    group: str
    description: str
    direction: int
    fmt: Format
    sentence_vi: str
    sentence_en: str
    monotone: dict[str, int] = field(default_factory=dict)
    agency_can_change: bool = False


def _f(name: str, kind: Kind, group: str, direction: int, fmt: Format, description: str,
       vi: str, en: str, monotone: dict[str, int] | None = None, changeable: bool = False
       ) -> FeatureDef:
    return FeatureDef(name, kind, group, description, direction, fmt, vi, en,
                      monotone or {}, changeable)


CATALOGUE: tuple[FeatureDef, ...] = (
    # --- redundancy
    _f("sim_lab_best", "numeric", "redundancy", +1, "score",
       "Best overlap score (0–1) against registry labs that existed at submission.",
       "Đề xuất trùng lặp với một phòng thí nghiệm đã có (mức trùng {value}; {comparison}).",
       "The proposal overlaps an existing lab (overlap {value}; {comparison}).",
       OVERLAP),
    _f("sim_program_best", "numeric", "redundancy", +1, "score",
       "Best overlap score (0–1) against registry programs started by the submission year.",
       "Mục tiêu trùng với một chương trình/nhiệm vụ đã có (mức trùng {value}; {comparison}).",
       "Its objectives overlap an existing program (overlap {value}; {comparison}).",
       OVERLAP),
    _f("sim_cycle_best", "numeric", "redundancy", +1, "score",
       "Best overlap score (0–1) against other agencies' proposals of the same budget cycle.",
       "Trùng với đề xuất của cơ quan khác trong cùng kỳ ngân sách (mức trùng {value}; "
       "{comparison}).",
       "It overlaps another agency's proposal in the same budget cycle (overlap {value}; "
       "{comparison}).",
       OVERLAP),
    _f("close_match_count", "numeric", "redundancy", +1, "count",
       "Number of labs, programs and same-cycle proposals with an overlap score of 0.5 or more.",
       "Có {value} hạng mục đã có hoặc đang đề xuất gần giống ({comparison}).",
       "{value} existing or proposed items closely match it ({comparison}).",
       OVERLAP),
    _f("underused_capacity_nearby", "numeric", "redundancy", +1, "score",
       "Max over labs of the same region holding requested equipment categories of "
       "(1 − utilisation) × share of requested categories they hold.",
       "Trong vùng đã có phòng thí nghiệm với thiết bị tương tự đang dùng dưới công suất "
       "(chỉ số {value}; {comparison}).",
       "Labs in the same region already hold similar equipment and are under-used "
       "(index {value}; {comparison}).",
       OVERLAP, changeable=True),
    _f("equipment_in_region_share", "numeric", "redundancy", +1, "percent",
       "Share of requested instruments whose category already exists in a lab of the region.",
       "{value} số thiết bị đề nghị mua đã có trong vùng ({comparison}).",
       "{value} of the requested instruments already exist in the region ({comparison}).",
       OVERLAP, changeable=True),
    # --- idle assets
    _f("equipment_share", "numeric", "idle_assets", +1, "percent",
       "Equipment as a share of the total budget.",
       "Thiết bị chiếm {value} tổng kinh phí ({comparison}).",
       "Equipment is {value} of the budget ({comparison}).", changeable=True),
    _f("om_ratio", "numeric", "idle_assets", -1, "percent",
       "Yearly operation-and-maintenance budget after completion / capital cost "
       "(equipment + construction). Missing when there is no capital cost.",
       "Kinh phí vận hành, bảo trì hằng năm bằng {value} vốn đầu tư ({comparison}).",
       "O&M budget is {value} of capital cost per year ({comparison}).",
       {"idle_assets": -1}, changeable=True),
    _f("researchers_per_instrument", "numeric", "idle_assets", -1, "ratio",
       "Named researchers who will use the equipment / instruments requested.",
       "Chỉ có {value} nhà nghiên cứu cho mỗi thiết bị ({comparison}).",
       "Only {value} researchers per instrument ({comparison}).", changeable=True),
    _f("has_shared_use_plan", "boolean", "idle_assets", -1, "bool",
       "Whether the proposal carries a plan to share its facilities with outside users.",
       "Đề xuất {value} kế hoạch chia sẻ sử dụng thiết bị ({comparison}).",
       "Shared-use plan: {value} ({comparison}).",
       {"idle_assets": -1}, changeable=True),
    # --- non-delivery
    _f("kpi_measurable_share", "numeric", "non_delivery", -1, "percent",
       "Share of KPIs with a numeric target and a deadline (0 when there are no KPIs).",
       "Chỉ {value} chỉ tiêu đầu ra có giá trị định lượng và thời hạn ({comparison}).",
       "Only {value} of the KPIs have a numeric target and a deadline ({comparison}).",
       {"non_delivery": -1}, changeable=True),
    _f("trl_jump", "numeric", "non_delivery", +1, "trl",
       "Target TRL minus starting TRL.",
       "Mức sẵn sàng công nghệ dự kiến tăng {value} bậc ({comparison}).",
       "The technology readiness level is to rise by {value} levels ({comparison}).",
       {"non_delivery": +1}),
    _f("log_budget_per_month", "numeric", "non_delivery", 0, "log10_vnd",
       "log10 of total budget (VND) per month of duration.",
       "Kinh phí mỗi tháng thực hiện là {value} ({comparison}).",
       "Budget per month of work is {value} ({comparison})."),
    _f("agency_past_idle_rate", "numeric", "track_record", +1, "percent",
       "Smoothed share of the agency's earlier projects found with idle assets "
       "(outcomes observed before submission only).",
       "Tỷ lệ dự án trước đây của cơ quan để thiết bị không sử dụng là {value} ({comparison}).",
       "The agency's past projects left assets idle in {value} of cases ({comparison})."),
    _f("agency_past_duplication_rate", "numeric", "track_record", +1, "percent",
       "Smoothed share of the agency's earlier projects found duplicating existing work.",
       "Tỷ lệ dự án trước đây của cơ quan bị phát hiện trùng lặp là {value} ({comparison}).",
       "The agency's past projects were found duplicated in {value} of cases ({comparison})."),
    _f("agency_past_nondelivery_rate", "numeric", "track_record", +1, "percent",
       "Smoothed share of the agency's earlier projects that did not deliver their outputs.",
       "Tỷ lệ dự án trước đây của cơ quan không đạt đầu ra là {value} ({comparison}).",
       "The agency's past projects missed their outputs in {value} of cases ({comparison})."),
    _f("agency_past_projects", "numeric", "track_record", 0, "count",
       "Number of the agency's earlier projects with an outcome observed before submission.",
       "Cơ quan có {value} dự án trước đây đã được đánh giá kết quả ({comparison}).",
       "The agency has {value} earlier projects with a known outcome ({comparison})."),
    # --- fragmentation
    _f("log_budget_per_output", "numeric", "fragmentation", 0, "log10_vnd",
       "log10 of total budget (VND) per KPI (per 1 when there are none).",
       "Kinh phí cho mỗi chỉ tiêu đầu ra là {value} ({comparison}).",
       "Budget per expected output is {value} ({comparison})."),
    _f("small_line_items", "numeric", "fragmentation", +1, "count",
       "Equipment lines costing under 500 million VND in total.",
       "Có {value} hạng mục thiết bị nhỏ lẻ dưới 500 triệu đồng ({comparison}).",
       "{value} small equipment lines under 500 million VND ({comparison}).", changeable=True),
    # --- other
    _f("cofunding_share", "numeric", "other", -1, "percent",
       "Co-funding from enterprises or others / total budget.",
       "Vốn đối ứng chiếm {value} tổng kinh phí ({comparison}).",
       "Co-funding is {value} of the budget ({comparison}).", changeable=True),
    _f("strategic_area", "boolean", "other", -1, "bool",
       "Whether the technology area is one of the strategic-technology groups (not OTHER).",
       "Lĩnh vực thuộc nhóm công nghệ chiến lược: {value} ({comparison}).",
       "Strategic-technology area: {value} ({comparison})."),
    _f("data_completeness", "numeric", "other", -1, "percent",
       "Share of the optional fields that are filled and plausible.",
       "Hồ sơ đầy đủ {value} các trường thông tin ({comparison}).",
       "The proposal fills {value} of its fields ({comparison})."),
    _f("project_type", "categorical", "other", 0, "category",
       "Kind of project: new lab, lab upgrade, equipment purchase, research program, "
       "digital platform or training program.",
       "Loại dự án {value}: rủi ro cao hơn {comparison}.",
       "{value}: riskier than {comparison}."),
)

BY_NAME: dict[str, FeatureDef] = {f.name: f for f in CATALOGUE}
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in CATALOGUE)
