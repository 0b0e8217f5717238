"""A FIXED SAMPLE screening result, for the report's tests and benchmark only.

Nothing here comes from a model: the numbers are written by hand to look like a real screening
of a semiconductor lab proposal (three evidence rows of each kind, reasons, what-ifs), with
contributions that add up exactly to each target's margin. Never show it as a real result.
"""

from __future__ import annotations

import math
from typing import Literal

from wastescreen.domain.result import (
    Contribution,
    FlagEvidence,
    FlagOutcome,
    MatchComponent,
    MatchEvidence,
    Reason,
    ScreeningResult,
    SharedUseOption,
    TargetScore,
    WhatIf,
)
from wastescreen.features.catalogue import FEATURE_NAMES
from wastescreen.features.red_flags import band_floor, evaluate_flags, flag_catalogue
from wastescreen.reporting.render import DecisionView
from wastescreen.reporting.waterfall import sigmoid

# Feature values of the sample proposal (raw model inputs, as in ``ScreeningResult.features``).
_VALUES: dict[str, float | str | None] = {
    "sim_lab_best": 0.81, "sim_program_best": 0.64, "sim_cycle_best": 0.57,
    "close_match_count": 4.0, "underused_capacity_nearby": 0.46,
    "equipment_in_region_share": 0.6, "equipment_share": 0.65, "om_ratio": 0.012,
    "researchers_per_instrument": 1.5, "has_shared_use_plan": 0.0,
    "kpi_measurable_share": 0.4, "trl_jump": 4.0, "log_budget_per_month": 9.6,
    "agency_past_idle_rate": 0.31, "agency_past_duplication_rate": 0.22,
    "agency_past_nondelivery_rate": 0.18, "agency_past_projects": 7.0,
    "log_budget_per_output": 10.08, "small_line_items": 3.0, "cofunding_share": 0.1,
    "strategic_area": 1.0, "data_completeness": 0.83, "project_type": "new_lab",
}

# Non-zero SHAP values per target (log-odds); the other features contribute 0.
_SHAP: dict[str, dict[str, float]] = {
    "redundancy": {
        "sim_lab_best": 1.12, "underused_capacity_nearby": 0.58, "sim_program_best": 0.41,
        "close_match_count": 0.27, "sim_cycle_best": 0.22, "equipment_in_region_share": 0.18,
        "agency_past_duplication_rate": 0.09, "strategic_area": -0.11,
        "cofunding_share": -0.04, "data_completeness": -0.03, "log_budget_per_month": 0.02,
        "project_type": 0.015,
    },
    "idle_assets": {
        "om_ratio": 0.94, "has_shared_use_plan": 0.52, "researchers_per_instrument": 0.37,
        "equipment_share": 0.33, "agency_past_idle_rate": 0.21, "small_line_items": 0.08,
        "cofunding_share": -0.12, "data_completeness": -0.05, "project_type": 0.06,
        "strategic_area": -0.02, "log_budget_per_month": 0.01,
    },
    "non_delivery": {
        "trl_jump": 0.48, "kpi_measurable_share": 0.36, "agency_past_nondelivery_rate": 0.05,
        "log_budget_per_output": -0.08, "agency_past_projects": -0.14,
        "data_completeness": -0.06, "strategic_area": -0.03, "log_budget_per_month": 0.025,
    },
}
_BASE = {"redundancy": -2.1, "idle_assets": -1.9, "non_delivery": -1.6}
# Calibration moves the probability a little away from sigmoid(margin), as it does for real.
_CALIBRATION_SHIFT = {"redundancy": -0.02, "idle_assets": 0.01, "non_delivery": 0.0}


def _target(name: str) -> TargetScore:
    shap = _SHAP[name]
    contributions = [
        Contribution(feature=f, value=v if isinstance(v := _VALUES.get(f), float) else None,
                     shap=shap.get(f, 0.0))
        for f in FEATURE_NAMES
    ]
    margin = _BASE[name] + math.fsum(c.shap for c in contributions)
    probability = round(sigmoid(margin) + _CALIBRATION_SHIFT[name], 4)
    return TargetScore(target=name, probability=probability, margin=margin,
                       base_margin=_BASE[name], contributions=contributions)


def _reasons() -> list[Reason]:
    def r(feature: str, target: str, value: float, vvi: str, ven: str, vi: str,
          en: str) -> Reason:
        return Reason(feature=feature, target=target, contribution=_SHAP[target][feature],
                      value=value, value_text_vi=vvi, value_text_en=ven, text_vi=vi, text_en=en)

    return [
        r("sim_lab_best", "redundancy", 0.81, "0,81", "0.81",
          "Đề xuất trùng lặp với một phòng thí nghiệm đã có (mức trùng 0,81; các đề xuất được "
          "duyệt thường dưới 0,45).",
          "The proposal overlaps an existing lab (overlap 0.81; approved proposals are "
          "usually below 0.45)."),
        r("underused_capacity_nearby", "redundancy", 0.46, "0,46", "0.46",
          "Trong vùng đã có phòng thí nghiệm với thiết bị tương tự đang dùng dưới công suất "
          "(chỉ số 0,46; thường dưới 0,15).",
          "Labs in the same region already hold similar equipment and are under-used "
          "(index 0.46; usually below 0.15)."),
        r("sim_program_best", "redundancy", 0.64, "0,64", "0.64",
          "Mục tiêu trùng với một chương trình/nhiệm vụ đã có (mức trùng 0,64; thường dưới "
          "0,40).",
          "Its objectives overlap an existing program (overlap 0.64; usually below 0.40)."),
        r("om_ratio", "idle_assets", 0.012, "1,2 %", "1.2%",
          "Kinh phí vận hành, bảo trì hằng năm bằng 1,2 % vốn đầu tư; các dự án tương đương "
          "được duyệt dự kiến 5–8 %.",
          "O&M budget is 1.2% of capital cost per year; comparable approved projects planned "
          "5–8%."),
        r("has_shared_use_plan", "idle_assets", 0.0, "không có", "no",
          "Đề xuất không có kế hoạch chia sẻ sử dụng thiết bị (78 % dự án được duyệt có).",
          "Shared-use plan: no (78% of approved projects have one)."),
        r("researchers_per_instrument", "idle_assets", 1.5, "1,5", "1.5",
          "Chỉ có 1,5 nhà nghiên cứu cho mỗi thiết bị (thường 4–6).",
          "Only 1.5 researchers per instrument (usually 4–6)."),
        r("trl_jump", "non_delivery", 4.0, "4", "4",
          "Mức sẵn sàng công nghệ dự kiến tăng 4 bậc (thường 1–2 bậc trong 30 tháng).",
          "The technology readiness level is to rise by 4 levels (usually 1–2 in 30 months)."),
        r("kpi_measurable_share", "non_delivery", 0.4, "40 %", "40%",
          "Chỉ 40 % chỉ tiêu đầu ra có giá trị định lượng và thời hạn (thường trên 80 %).",
          "Only 40% of the KPIs have a numeric target and a deadline (usually above 80%)."),
    ]


def _evidence() -> list[MatchEvidence]:
    labs = [
        MatchEvidence(
            kind="lab", code="LAB-HN-0112", likelihood=0.93,
            name="Phòng thí nghiệm trọng điểm Vật liệu và Linh kiện điện tử",
            host="Viện Khoa học Vật liệu (minh họa)", province="Hà Nội",
            distance="same_province", score=0.81,
            components=MatchComponent(agency=0.0, text=0.74, equipment=0.88, place=1.0, area=1.0,
                                      budget=0.62),
            shared_equipment={"ELECTRON_MICROSCOPE": 1, "XRAY_DIFFRACTOMETER": 1,
                              "DEPOSITION": 2},
            utilisation=0.38, open_for_shared_use=True, budget_vnd=95_000_000_000),
        MatchEvidence(
            kind="lab", code="LAB-BN-0047", likelihood=0.41,
            name="Trung tâm Thiết kế và Thử nghiệm Vi mạch",
            host="Đại học Kỹ thuật Mẫu 03", province="Bắc Ninh", distance="same_region",
            score=0.66,
            components=MatchComponent(agency=0.0, text=0.69, equipment=0.71, place=0.6, area=1.0,
                                      budget=0.48),
            shared_equipment={"CLEANROOM": 1, "LITHOGRAPHY": 1},
            utilisation=0.55, open_for_shared_use=False, budget_vnd=142_000_000_000),
        MatchEvidence(
            kind="lab", code="LAB-HCM-0203", likelihood=0.12,
            name="Phòng thí nghiệm Nano và Bán dẫn",
            host="Khu Công nghệ cao Mẫu", province="Thành phố Hồ Chí Minh",
            distance="elsewhere", score=0.52,
            components=MatchComponent(agency=0.0, text=0.58, equipment=0.64, place=0.0, area=1.0,
                                      budget=0.55),
            shared_equipment={"ELECTRON_MICROSCOPE": 2},
            utilisation=None, open_for_shared_use=None, budget_vnd=210_500_000_000),
    ]
    programs = [
        MatchEvidence(
            kind="program", code="PRG-KC4.0-21", likelihood=0.71,
            name="Nghiên cứu chế tạo vật liệu màng mỏng cho linh kiện bán dẫn công suất",
            host="Bộ Khoa học và Công nghệ", province="Hà Nội", distance="same_province",
            score=0.64,
            components=MatchComponent(agency=1.0, text=0.81, equipment=0.0, place=1.0, area=1.0,
                                      budget=0.44),
            budget_vnd=18_500_000_000, period="2021–2024", status="completed",
            outcome="partial"),
        MatchEvidence(
            kind="program", code="PRG-VM-2023-07", likelihood=0.33,
            name="Chương trình phát triển nguồn nhân lực thiết kế vi mạch",
            host="Bộ Giáo dục và Đào tạo", province="", distance="unknown", score=0.55,
            components=MatchComponent(agency=0.0, text=0.7, equipment=0.0, place=0.0, area=1.0,
                                      budget=0.3),
            budget_vnd=250_000_000_000, period="2023–2030", status="ongoing",
            outcome="unknown"),
        MatchEvidence(
            kind="program", code="PRG-HN-2019-33", likelihood=0.08,
            name="Đề án phân tích cấu trúc vật liệu tiên tiến",
            host="Sở Khoa học và Công nghệ Hà Nội", province="Hà Nội",
            distance="same_province", score=0.47,
            components=MatchComponent(agency=0.0, text=0.52, equipment=0.0, place=1.0, area=0.5,
                                      budget=0.61),
            budget_vnd=7_200_000_000, period="2019–2021", status="cancelled",
            outcome="not_delivered"),
    ]
    peers = [
        MatchEvidence(
            kind="proposal", code="DX-2026-BN-006", likelihood=0.52,
            name="Phòng thí nghiệm đo kiểm vật liệu bán dẫn vùng Thủ đô",
            host="UBND tỉnh Bắc Ninh", province="Bắc Ninh", distance="same_region",
            score=0.57,
            components=MatchComponent(agency=0.0, text=0.66, equipment=0.59, place=0.6, area=1.0,
                                      budget=0.71),
            shared_equipment={"ELECTRON_MICROSCOPE": 1, "DEPOSITION": 1},
            budget_vnd=98_000_000_000),
        MatchEvidence(
            kind="proposal", code="DX-2026-DN-011", likelihood=0.09,
            name="Trung tâm đổi mới sáng tạo vi mạch miền Trung",
            host="UBND thành phố Đà Nẵng", province="Đà Nẵng", distance="elsewhere",
            score=0.43,
            components=MatchComponent(agency=0.0, text=0.55, equipment=0.35, place=0.0, area=1.0,
                                      budget=0.52),
            shared_equipment={"CLEANROOM": 1},
            budget_vnd=156_000_000_000),
        MatchEvidence(
            kind="proposal", code="DX-2026-HN-031", likelihood=0.02,
            name="Nâng cấp hệ thống sắc ký và khối phổ",
            host="Trường Đại học Mẫu 11", province="Hà Nội", distance="same_province",
            score=0.31,
            components=MatchComponent(agency=0.0, text=0.2, equipment=0.28, place=1.0, area=0.0,
                                      budget=0.4),
            shared_equipment={}, budget_vnd=8_750_000_000),
    ]
    # Ordered as a screening orders them: most likely duplicates first, across kinds.
    return sorted(labs + programs + peers, key=lambda e: -(e.likelihood or 0.0))


def _band(score: float) -> Literal["low", "medium", "high"]:
    return "high" if score >= 0.6 else "medium" if score >= 0.35 else "low"


def _what_if(overall: float) -> list[WhatIf]:
    changes = [
        ("use_lab:LAB-HN-0112",
         "Dùng chung Kính hiển vi điện tử quét, Hệ lắng đọng màng mỏng, Máy nhiễu xạ tia X "
         "của LAB-HN-0112 thay vì mua mới",
         "Use LAB-HN-0112's scanning electron microscope, thin-film deposition system and "
         "X-ray diffractometer instead of buying them", -0.31),
        ("om_ratio=0.06",
         "Bố trí kinh phí vận hành, bảo trì hằng năm bằng 6 % vốn đầu tư",
         "Plan a yearly O&M budget of 6% of the capital cost", -0.12),
        ("has_shared_use_plan=1",
         "Bổ sung kế hoạch chia sẻ thiết bị với các đơn vị ngoài",
         "Add a plan to share the equipment with outside users", -0.06),
    ]
    return [WhatIf(change=c, description_vi=vi, description_en=en,
                   new_overall_score=round(overall + d, 4), new_band=_band(overall + d),
                   delta=d)
            for c, vi, en, d in changes]


def _flags() -> list[FlagOutcome]:
    """The real catalogue's flags for this sample: LAB-HN-0112 (open, used 38 %) holds most of
    the requested equipment (RF04 fires); TRL 3 to 7 is below RF08's threshold."""
    lab = FlagEvidence(kind="lab", code="LAB-HN-0112",
                       name="Phòng thí nghiệm trọng điểm Vật liệu và Linh kiện điện tử",
                       agency="Viện Khoa học Vật liệu (minh họa)", utilisation=0.38,
                       utilisation_measured_on="2026-01-15",
                       utilisation_measured_by="Khảo sát hạ tầng nghiên cứu (minh họa)",
                       spare_hours=2480, open_for_shared_use=True,
                       categories=["DEPOSITION", "ELECTRON_MICROSCOPE", "XRAY_DIFFRACTOMETER"])
    values: dict[str, float | None] = {
        "copy_of_active_program": 0.33, "copy_of_completed_program": 0.71,
        "active_programs": 12.0, "completed_programs": 40.0, "copy_of_peer": 0.52,
        "peers_in_cycle": 9.0, "requested_instruments": 7.0,
        "held_by_open_underused_share": 4 / 7, "held_by_closed_underused_share": 0.0,
        "capital_vnd": 102e9, "equipment_share": 0.65, "om_budget_vnd_per_year": 1.2e9,
        "kpi_measurable_share": 0.4, "trl_jump": 4.0}
    facts = {"held_by_open_underused_share": {"share": 4 / 7, "threshold": 0.5,
                                              "item": f"{lab.code} «{lab.name}»"}}
    return evaluate_flags(values, facts, {"held_by_open_underused_share": [lab]})


def _alternatives(overall: float) -> list[SharedUseOption]:
    return [
        SharedUseOption(
            lab_code="LAB-HN-0112", name="Phòng thí nghiệm trọng điểm Vật liệu và Linh kiện "
            "điện tử", host="Viện Khoa học Vật liệu (minh họa)", province="Hà Nội",
            categories=["DEPOSITION", "ELECTRON_MICROSCOPE", "XRAY_DIFFRACTOMETER"],
            utilisation=0.38, utilisation_measured_on="2026-01-15",
            utilisation_measured_by="Khảo sát hạ tầng nghiên cứu (minh họa)", spare_hours=2480,
            open_for_shared_use=True, new_overall_score=round(overall - 0.31, 4),
            new_band=_band(overall - 0.31), delta=-0.31),
        SharedUseOption(
            lab_code="LAB-BN-0047", name="Trung tâm Thiết kế và Thử nghiệm Vi mạch",
            host="Đại học Kỹ thuật Mẫu 03", province="Bắc Ninh", categories=["CLEANROOM"],
            utilisation=0.55, spare_hours=1800, open_for_shared_use=False),
    ]


def sample_result(*, synthetic: bool = True) -> ScreeningResult:
    """The fixed sample screening (a 120-billion-VND semiconductor lab in Hà Nội)."""
    targets = [_target(t) for t in ("redundancy", "idle_assets", "non_delivery")]
    scores = {t.target: t.probability for t in targets}
    overall = 1.0 - math.prod(1.0 - p for p in scores.values())
    flags = _flags()
    band, raised_by = band_floor(_band(overall), flags)
    return ScreeningResult(
        proposal_title="Đầu tư phòng thí nghiệm phân tích vật liệu bán dẫn thế hệ mới",
        agency="Viện Công nghệ Mẫu 07", cycle=2026, province="Hà Nội",
        technology_area="SEMICONDUCTORS", project_type="new_lab",
        total_budget_vnd=120_000_000_000, overall_score=round(overall, 4), band=band,
        model_band=_band(overall), flags=flags, raised_by=raised_by,
        flag_catalogue_version=flag_catalogue().version, alternatives=_alternatives(overall),
        scores=scores, targets=targets, reasons=_reasons(), what_if=_what_if(overall),
        evidence=_evidence(), completeness=0.8333,
        missing_fields=["shared_use_plan", "om_budget_vnd_per_year"],
        features=dict(_VALUES), model_version="risk-2026.03.1-demo",
        model_trained_on_synthetic_data=synthetic, registry_snapshot=42,
        registry_snapshot_date="2026-03-01",
        input_hash="9f2c4b7e1a0d3c5b8e6f4a2d1c0b9a8f7e6d5c4b3a2918273645546372819a0b")


def sample_decision() -> DecisionView:
    """A recorded decision that departs from the model's band (an override)."""
    return DecisionView(
        decision="approve_with_changes",
        rationale="Đồng ý chủ trương với điều kiện bỏ kính hiển vi điện tử khỏi danh mục mua "
                  "sắm và ký thỏa thuận dùng chung với LAB-HN-0112; bổ sung kinh phí vận hành.",
        override=True, decided_by="Chuyên viên thẩm tra Vụ Tài chính (minh họa)",
        decided_at="2026-03-12T07:30:00+00:00")  # stored in UTC; 14:30 in Viet Nam
