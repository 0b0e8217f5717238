"""Words of the reason sentences that are not a feature's own: comparisons, categories and a
missing track record."""

from __future__ import annotations

from wastescreen.core.labels import pair as _p
from wastescreen.core.locale_format import Lang

TEXT: dict[str, dict[Lang, str]] = {
    "not_given": _p("không có dữ liệu", "not given"),
    "no_comparison": _p("chưa có số liệu so sánh", "no comparison available"),
    "comparable_range": _p("các dự án tương đương không phát sinh lãng phí: {span}",
                           "comparable projects without waste: {span}"),
    "comparable_share": _p("{share} các dự án tương đương không phát sinh lãng phí có",
                           "{share} of comparable projects without waste have one"),
    "category_against": _p(
        "{other} (lãng phí ở {rate} các dự án loại này trước đây, so với {other_rate})",
        "{other} (waste in {rate} of past projects of this kind, against {other_rate})"),
    "category_unknown": _p("mức trung bình (chưa có số liệu so sánh theo loại)",
                           "the average project (no comparison by kind available)"),
    "no_history": _p(
        "Cơ quan chưa có dự án nào trước đây được đánh giá kết quả, nên chưa có lịch sử thực "
        "hiện để dựa vào.",
        "The agency has no earlier project with a known outcome: there is no track record to "
        "rely on."),
}
