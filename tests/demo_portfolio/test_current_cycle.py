"""The demo's current budget cycle: what it holds, and what `wastescreen demo cycle` files."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from wastescreen.core import reference
from wastescreen.demo_portfolio import DemoPortfolio, generate_portfolio, split_gloss
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.demo_portfolio.current_cycle import (
    CURRENT_CYCLE,
    UNDER_USED,
    CurrentCycle,
    generate_current_cycle,
)
from wastescreen.demo_portfolio.mechanisms import text_closeness
from wastescreen.domain import Proposal
from wastescreen.domain.registry import ProgramStatus

PATTERNS = {
    "near_copy": r"DEMO-2026-COPY-\d\d", "held_equipment": r"DEMO-2026-HELD-\d\d",
    "cycle_duplicate": r"DEMO-2026-DUP-\d\d[A-D]", "clean": r"DEMO-2026-CLEAN-\d\d",
}


@pytest.fixture(scope="module")
def registry() -> DemoPortfolio:
    """The registry of the test service's portfolio (its history is not needed here)."""
    return generate_portfolio(57, n_labs=60, n_programs=600, n_proposals=200)


@pytest.fixture(scope="module")
def cycle(registry: DemoPortfolio) -> CurrentCycle:
    return generate_current_cycle(57, registry.labs, registry.programs)


def by_code(cycle: CurrentCycle) -> dict[str, Proposal]:
    return {p.reference_code: p for p in cycle.proposals}


def test_same_seed_same_cycle(registry: DemoPortfolio, cycle: CurrentCycle) -> None:
    again = generate_current_cycle(57, registry.labs, registry.programs)
    assert [p.model_dump() for p in again.proposals] == [p.model_dump() for p in cycle.proposals]
    other = generate_current_cycle(58, registry.labs, registry.programs)
    assert [p.title for p in other.proposals] != [p.title for p in cycle.proposals]


def test_many_agencies_every_area_and_type(cycle: CurrentCycle) -> None:
    props = cycle.proposals
    assert len(props) == 300 and {p.cycle for p in props} == {CURRENT_CYCLE}
    assert len({p.agency for p in props}) >= 40
    assert {p.managing_level.value for p in props} == {"ministry", "province"}
    assert {p.technology_area for p in props} == reference.area_codes(
        reference.latest_area_version())
    assert Counter(p.project_type.value for p in props).keys() == voc.TYPES.keys()
    assert [p.submitted_on for p in props] == sorted(p.submitted_on for p in props)
    assert all(p.submitted_on < p.start_date for p in props)


def test_reference_codes_mark_the_planted_cases(cycle: CurrentCycle) -> None:
    kinds = Counter(p.kind for p in cycle.planted.values())
    assert kinds == {"near_copy": 12, "held_equipment": 10, "cycle_duplicate": 16, "clean": 12}
    for p in cycle.proposals:
        planted = cycle.planted.get(p.reference_code)
        pattern = PATTERNS[planted.kind] if planted else r"DEMO-2026-\d{4}"
        assert re.fullmatch(pattern, p.reference_code), p.reference_code
    assert len({p.reference_code for p in cycle.proposals}) == 300


def test_titles_differ_except_within_a_duplicate_cluster(cycle: CurrentCycle) -> None:
    clusters: dict[str, set[str]] = defaultdict(set)
    for p in cycle.proposals:
        planted = cycle.planted.get(p.reference_code)
        clusters[p.title].add(planted.source if planted and planted.kind == "cycle_duplicate"
                              else p.reference_code)
    assert all(len(owners) == 1 for owners in clusters.values())
    assert len(clusters) > 270


def test_texts_fit_area_type_and_language(cycle: CurrentCycle) -> None:
    assert len(cycle.english) >= 5
    for p in cycle.proposals:
        lang = 1 if p.reference_code in cycle.english else 0
        kind, area = p.project_type.value, voc.area(p.technology_area)
        if cycle.planted.get(p.reference_code, None) is None or lang:
            assert p.title.startswith(voc.TYPES[kind].title[lang])
            topic = next(t for t in (*area.topics, *area.novel) if t.topic[lang] in p.title)
            assert topic.fits(kind) and topic.topic[lang] in p.objectives
        metrics = {m.metric[lang] for m in (*voc.TYPES[kind].kpis, *area.metrics)}
        assert {k.metric for k in p.kpis} <= metrics | {v[lang] for v in voc.VAGUE_KPIS}
        vi, en = split_gloss(p.summary)
        assert (vi and not en) if lang else (vi and en)


def test_near_copies_of_live_programs(registry: DemoPortfolio, cycle: CurrentCycle) -> None:
    programs = {x.program_code: x for x in registry.programs}
    props = by_code(cycle)
    for planted in cycle.of_kind("near_copy"):
        p, prog = props[planted.reference_code], programs[planted.source]
        assert prog.status in (ProgramStatus.ONGOING, ProgramStatus.PLANNED)
        assert text_closeness(prog.objectives, p.objectives) >= 0.9
        assert p.agency != prog.managing_agency and p.technology_area == prog.technology_area
    assert len({x.source for x in cycle.of_kind("near_copy")}) == 12


def test_equipment_held_by_under_used_open_labs_nearby(registry: DemoPortfolio,
                                                       cycle: CurrentCycle) -> None:
    labs = {x.lab_code: x for x in registry.labs}
    props = by_code(cycle)
    for planted in cycle.of_kind("held_equipment"):
        p, lab = props[planted.reference_code], labs[planted.source]
        assert lab.open_for_shared_use and (lab.utilisation or 0) < UNDER_USED
        assert reference.region_of(p.province) == reference.region_of(lab.province)
        assert {e.category for e in lab.equipment} <= {e.category for e in p.equipment}
        assert p.agency != lab.host and lab.year_established < CURRENT_CYCLE


def test_duplicate_clusters_span_agencies(cycle: CurrentCycle) -> None:
    props = by_code(cycle)
    members: dict[str, list[Proposal]] = defaultdict(list)
    for planted in sorted(cycle.of_kind("cycle_duplicate"), key=lambda x: x.reference_code):
        members[planted.source].append(props[planted.reference_code])
    assert len(members) == 6
    for group in members.values():
        first, copies = group[0], group[1:]
        assert copies and len({p.agency for p in group}) == len(group)
        for p in copies:
            assert p.province != first.province
            assert text_closeness(first.objectives, p.objectives) >= 0.6
            assert {e.category for e in p.equipment} == {e.category for e in first.equipment}


def test_clean_proposals_are_well_planned(registry: DemoPortfolio,
                                         cycle: CurrentCycle) -> None:
    props = by_code(cycle)
    clean = [props[x.reference_code] for x in cycle.of_kind("clean")]
    underused = {(reference.region_of(lab.province), e.category) for lab in registry.labs
                 for e in lab.equipment if (lab.utilisation or 0.0) < 0.5}
    for p in clean:  # new work, and nothing an under-used lab of the region holds
        area = voc.area(p.technology_area)
        assert any(t.topic[0] in p.title or t.topic[1] in p.title for t in area.novel)
        assert not any(t.topic[0] in x.title for x in registry.programs for t in area.novel)
        assert not {(reference.region_of(p.province), e.category) for e in p.equipment} & underused
    assert Counter(p.project_type.value for p in clean) == {t: 2 for t in voc.TYPES}
    for p in clean:
        assert p.kpis and all(k.is_measurable for k in p.kpis)
        assert p.trl_target - p.trl_start <= 2 and len(p.researchers) >= 10
        capital = p.budget.equipment_vnd + p.budget.construction_vnd
        if capital:
            assert p.om_budget_vnd_per_year >= 0.1 * capital and p.shared_use_plan
        assert len(p.equipment) <= 3
