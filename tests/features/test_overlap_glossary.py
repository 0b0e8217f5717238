"""The overlap search across Vietnamese and English (features/overlap_glossary.py and the
cross-language columns of features/overlap_index.py); never timing."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import pytest

from wastescreen.features import overlap_glossary as og
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex
from wastescreen.features.overlap_text import TEXT_VERSION

VI_DOCS = [
    OverlapDoc("p-gen", "program", "Làm chủ công nghệ giải mã hệ gen cây trồng phục vụ nông "
               "nghiệp. Trọng tâm là giống lúa chịu mặn thí điểm tại Cần Thơ."),
    OverlapDoc("p-chip", "program", "Nghiên cứu thiết kế vi mạch bán dẫn cho thiết bị IoT tại "
               "Đà Nẵng."),
    OverlapDoc("p-drone", "program", "Phát triển thiết bị bay không người lái phun thuốc bảo vệ "
               "thực vật cho nông nghiệp tại Nghệ An."),
    OverlapDoc("p-membrane", "program", "Chế tạo màng lọc nano xử lý nước thải công nghiệp."),
    OverlapDoc("p-grid", "program", "Xây dựng lưới điện thông minh và lưu trữ năng lượng pin "
               "lithium tại Hà Nội."),
]
EN_DOCS = [
    OverlapDoc("e-vaccine", "program", "Develop next-generation veterinary vaccines for poultry."),
    OverlapDoc("e-port", "program", "Smart seaport logistics platform in Hai Phong."),
]


def _rows() -> list[dict[str, str]]:
    text = resources.files("wastescreen").joinpath("reference_data", og.GLOSSARY_FILE)
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def test_the_glossary_is_well_formed_and_named_by_the_text_version() -> None:
    rows = _rows()
    assert len(rows) >= 300
    assert len({r["concept"] for r in rows}) == len(rows)
    assert all(r["vi"].strip() and r["en"].strip() for r in rows)
    # A changed glossary changes the terms a text yields: the tokenizer version must say so.
    assert og.glossary().digest in TEXT_VERSION


@pytest.mark.parametrize(("text", "lang"), [
    ("Nghiên cứu giải mã hệ gen cây trồng phục vụ nông nghiệp", "vi"),
    ("Nghien cuu giai ma he gen cay trong phuc vu nong nghiep", "vi"),  # typed without marks
    ("Research on crop genome sequencing for agriculture", "en"),
    ("Proyecto de educación básica en Perú", "en"),  # accents shared with Vietnamese: not vi
    ("GEN EDUC SUPPLMT amendment to existing loan", "en"),
])
def test_language(text: str, lang: str) -> None:
    assert og.language(text) == lang


def test_the_same_term_in_both_languages_yields_the_same_concepts() -> None:
    vi = set(og.cross_terms("giải mã hệ gen cây trồng tại Cần Thơ, mạng 5G"))
    en = set(og.cross_terms("crop genome decoding in Can Tho, 5G networks"))
    assert {"genome", "sequencing", "crop", "place_can_tho", "5g"} <= vi & en


def test_a_vietnamese_syllable_inside_a_longer_term_is_not_a_term_of_its_own() -> None:
    assert "electricity" not in og.cross_terms("linh kiện điện tử cho ô tô")
    assert "electricity" in og.cross_terms("cung cấp điện cho nông thôn")


def test_diacritics_keep_words_apart_that_folding_merges() -> None:
    assert "membrane" in og.cross_terms("màng lọc nano") and "network" not in og.cross_terms(
        "màng lọc nano")
    assert "network" in og.cross_terms("mạng lưới trạm quan trắc")


@pytest.fixture(scope="module")
def indexes() -> dict[bool, OverlapIndex]:
    return {cross: OverlapIndex(cross_language=cross).fit(VI_DOCS + EN_DOCS)
            for cross in (False, True)}


def test_an_english_copy_finds_its_vietnamese_source_only_with_the_glossary(
        indexes: dict[bool, OverlapIndex]) -> None:
    q = OverlapDoc("q", "proposal", "Master crop genome decoding technology for agriculture, "
                   "focused on salt-tolerant rice piloted in Can Tho.")
    with_glossary = indexes[True].query(q, k=3)
    assert with_glossary[0].doc_id == "p-gen"
    assert with_glossary[0].components["text"] >= 0.6
    without = {m.doc_id: m.components["text"] for m in indexes[False].query(q, k=10)}
    assert without.get("p-gen", 0.0) < 0.3


def test_a_vietnamese_copy_finds_its_english_source(indexes: dict[bool, OverlapIndex]) -> None:
    q = OverlapDoc("q", "proposal", "Phát triển vắc xin thú y thế hệ mới cho gia cầm.")
    assert indexes[True].query(q, k=1)[0].doc_id == "e-vaccine"


def test_cross_language_norms_are_cached_until_the_documents_change() -> None:
    """A segment keeps its rows' cross-language norms between queries, as it keeps their
    literal ones, and computes them again once the documents (so the idf) changed: the
    matches are those of a fresh index of the same documents."""
    q = OverlapDoc("q", "proposal", "Master crop genome decoding technology for agriculture.")
    index = OverlapIndex().fit(VI_DOCS + EN_DOCS)
    first = index.query(q, k=5)
    assert first and all(s.cross_score is not None for s in index.segments_)
    assert index.query(q, k=5) == first
    kept = index.segments_[0].cross_score
    index.add([OverlapDoc("p-rice", "program", "Giống lúa chịu mặn cho Cần Thơ.")])
    again = index.query(q, k=5)
    assert index.segments_[0].cross_score is not kept  # computed again with the new idf
    assert again == OverlapIndex(length_scale=index.length_scale_).fit(
        VI_DOCS + EN_DOCS + [OverlapDoc("p-rice", "program", "Giống lúa chịu mặn cho Cần Thơ.")]
    ).query(q, k=5)


@pytest.mark.parametrize("query", [
    OverlapDoc("q-vi", "proposal", "Nghiên cứu lưới điện thông minh và pin lithium cho Hà Nội"),
    OverlapDoc("q-en", "proposal", "Smart seaport platform for veterinary vaccine logistics"),
])
def test_same_language_scores_are_exactly_those_without_the_glossary(
        indexes: dict[bool, OverlapIndex], query: OverlapDoc) -> None:
    lang = og.language(query.text)
    same = [d.doc_id for d in VI_DOCS + EN_DOCS if og.language(d.text) == lang]

    def scores(index: OverlapIndex) -> dict[str, float]:
        return {m.doc_id: m.score for m in index.query(query, k=10) if m.doc_id in same}
    assert scores(indexes[True]) == scores(indexes[False])  # bit for bit
    assert scores(indexes[True])  # the query does match documents of its own language


def test_saved_index_keeps_cross_language_matches_and_refuses_another_glossary(
        indexes: dict[bool, OverlapIndex], tmp_path: Path) -> None:
    q = OverlapDoc("q", "proposal", "Drones spraying pesticide for agriculture in Nghe An")
    indexes[True].save(tmp_path)
    loaded = OverlapIndex.load(tmp_path)
    assert [(m.doc_id, m.score) for m in loaded.query(q, k=3)] == [
        (m.doc_id, m.score) for m in indexes[True].query(q, k=3)]
    meta = json.loads((tmp_path / "index.json").read_text("utf-8"))
    meta["glossary"] = "0" * 16
    (tmp_path / "index.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ValueError, match="glossary"):
        OverlapIndex.load(tmp_path)
