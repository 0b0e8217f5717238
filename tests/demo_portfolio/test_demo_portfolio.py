"""The demo portfolio: determinism, validity, base rates, visible mechanisms and the bulk write."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from sqlalchemy import func, select

from wastescreen.core import reference
from wastescreen.demo_portfolio import (
    DRIVERS,
    GLOSS_SEPARATOR,
    NO_EFFECT,
    DemoPortfolio,
    database_is_empty,
    generate_portfolio,
    split_gloss,
    write_portfolio,
)
from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.demo_portfolio.mechanisms import (
    COEF,
    OUTCOMES,
    near_copy,
    reword,
    text_closeness,
)
from wastescreen.demo_portfolio.rates import measure
from wastescreen.domain import Lab, Program, Proposal, ProposalOutcome
from wastescreen.features.red_flags import flag_catalogue
from wastescreen.storage.engine import make_engine
from wastescreen.storage.migrate import upgrade_to_head
from wastescreen.storage.tables import Base

UNDER_USED = flag_catalogue().parameters["underused_below"]
TINY = {"n_labs": 30, "n_programs": 100, "n_proposals": 300}
SMALL = {"n_labs": 60, "n_programs": 300, "n_proposals": 2000}
MEDIUM = {"n_labs": 400, "n_programs": 1000, "n_proposals": 10000}


def dump(p: DemoPortfolio) -> str:
    return json.dumps(
        {
            "labs": [x.model_dump(mode="json") for x in p.labs],
            "programs": [x.model_dump(mode="json") for x in p.programs],
            "proposals": [x.model_dump(mode="json") for x in p.proposals],
            "outcomes": [x.model_dump(mode="json") for x in p.outcomes],
            "ids": p.proposal_ids,
        },
        sort_keys=True,
        ensure_ascii=False,
    )


@pytest.fixture(scope="module")
def small() -> DemoPortfolio:
    return generate_portfolio(57, **SMALL)


@pytest.fixture(scope="module")
def medium() -> DemoPortfolio:
    return generate_portfolio(11, **MEDIUM)


def flags(p: DemoPortfolio, name: str) -> np.ndarray:
    return np.array([getattr(o, name) for o in p.outcomes], dtype=float)


def test_same_seed_same_portfolio_other_seed_differs(small: DemoPortfolio) -> None:
    again = generate_portfolio(57, **SMALL)
    assert dump(again) == dump(small)
    assert dump(generate_portfolio(58, **TINY)) != dump(generate_portfolio(57, **TINY))


def test_same_output_in_another_process_with_another_hash_seed() -> None:
    code = (
        "import hashlib, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from test_demo_portfolio import TINY, dump;"
        "from wastescreen.demo_portfolio import generate_portfolio;"
        "print(hashlib.sha256(dump(generate_portfolio(57, **TINY)).encode()).hexdigest())"
    )
    root, here = str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)
    digests = {
        subprocess.run(
            [sys.executable, "-c", code, root, here],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_sizes_codes_and_ids(small: DemoPortfolio) -> None:
    assert len(small.labs) == 60 and len(small.programs) == 300
    assert len(small.proposals) == len(small.outcomes) == len(small.proposal_ids) == 2000
    assert small.labs[0].lab_code == "LAB-0001" and small.programs[0].program_code == "PRG-00001"
    assert len(set(small.proposal_ids)) == 2000
    assert len({p.reference_code for p in small.proposals}) == 2000


def test_every_lab_says_when_and_by_whom_its_utilisation_was_measured(
        small: DemoPortfolio) -> None:
    days = [lab.utilisation_measured_on for lab in small.labs]
    assert all(d is not None and dt.date(2024, 1, 1) <= d <= dt.date(2025, 12, 31) for d in days)
    assert len(set(days)) > len(days) // 2  # spread over the two years, not one survey day
    assert all(lab.utilisation_measured_by.endswith("(minh họa)") for lab in small.labs)


def test_every_object_validates(small: DemoPortfolio) -> None:
    for lab in small.labs:
        assert Lab.model_validate(lab.model_dump(mode="json")) == lab
        assert 2 <= len(lab.equipment) <= 12
    for prog in small.programs:
        assert Program.model_validate(prog.model_dump(mode="json")) == prog
    for prop, out in zip(small.proposals, small.outcomes, strict=True):
        again = Proposal.model_validate(prop.model_dump(mode="json"))
        assert again == prop
        assert ProposalOutcome.model_validate(out.model_dump(mode="json")) == out
        assert 2010 <= prop.cycle <= 2025
        assert prop.cycle - 1 <= prop.submitted_on.year <= prop.cycle
        assert prop.submitted_on < prop.start_date
        assert prop.end_date is not None and out.observed_on > prop.submitted_on
        if out.approved:
            assert out.observed_on > prop.end_date
        assert prop.budget.equipment_vnd == prop.equipment_total_vnd
        assert prop.cofunding_vnd <= 0.41 * prop.total_budget_vnd


def test_reference_coverage(small: DemoPortfolio) -> None:
    provinces = {p.name_vi for p in reference.provinces()}
    areas = reference.area_codes(reference.latest_area_version())
    assert {lab.province for lab in small.labs} <= provinces
    assert {p.province for p in small.proposals} <= provinces
    assert {lab.technology_area for lab in small.labs} == areas
    assert {p.technology_area for p in small.proposals} == areas
    assert {p.technology_area for p in small.programs} == areas


@pytest.mark.slow
def test_full_registry_covers_all_provinces(medium: DemoPortfolio) -> None:
    assert {lab.province for lab in medium.labs} == {p.name_vi for p in reference.provinces()}
    shared = np.mean([lab.open_for_shared_use for lab in medium.labs])
    # Some labs run below the red flags' under-use line, most do not (a cycle where nearly
    # every request is held by an idle lab nearby is no cycle to learn from).
    under = np.mean([(lab.utilisation or 0) < UNDER_USED for lab in medium.labs])
    assert 0.28 < shared < 0.42 and 0.04 < under < 0.2


def test_names_are_fictional_and_texts_carry_a_gloss(small: DemoPortfolio) -> None:
    agencies = {p.agency for p in small.proposals}
    assert all(("Mẫu" in a) or ("Minh họa" in a) or ("minh họa" in a) for a in agencies)
    for p in small.proposals[:200]:
        vi, en = split_gloss(p.summary)
        assert vi and en and p.summary.count(GLOSS_SEPARATOR) == 1


def test_texts_agree_with_area_and_project_type(small: DemoPortfolio) -> None:
    for p, how in zip(small.proposals, small.derivation, strict=True):
        kind, area = p.project_type.value, voc.area(p.technology_area)
        if how != "same_cycle":  # a same-cycle copy may reword its source's title
            assert p.title.startswith(voc.TYPES[kind].title[0])
        if how in ("", "lab"):  # an original text: one topic of its area, in title and text
            topics = [t for t in area.topics if t.topic[0] in p.title]
            assert topics and topics[0].topic[0] in p.objectives
            assert any(u[0] in p.title and u[0] in p.objectives for u in topics[0].uses)
        allowed = {m.metric[0] for m in (*voc.TYPES[kind].kpis, *area.metrics)}
        assert {k.metric for k in p.kpis} <= allowed | {v[0] for v in voc.VAGUE_KPIS}
    for prog in small.programs:
        assert any(t.topic[0] in prog.title for t in voc.area(prog.technology_area).topics)


def test_rewording_keeps_closeness_meaningful() -> None:
    import random

    text = (
        "Làm chủ công nghệ thiết kế vi mạch tích hợp phục vụ y tế. "
        "Đào tạo đội ngũ cán bộ khoa học có trình độ cao về thiết kế vi mạch tích hợp."
    )
    rnd = random.Random(1)
    assert reword(text, 0.0, rnd) == text
    assert text_closeness(text, text) == 1.0
    assert 0.3 < text_closeness(text, reword(text, 1.0, rnd)) < 1.0


@pytest.mark.slow
def test_base_rates(medium: DemoPortfolio) -> None:
    assert 0.15 <= flags(medium, "duplication_found").mean() <= 0.20
    assert 0.20 <= flags(medium, "idle_assets").mean() <= 0.25
    assert 0.20 <= flags(medium, "outputs_not_delivered").mean() <= 0.25
    derived = np.mean([d != "" for d in medium.derivation])
    assert 0.22 <= derived <= 0.28


def test_near_copy_is_a_step_of_text_copies_only() -> None:
    assert near_copy(0.95, True) == near_copy(0.9, True) == 1.0
    assert near_copy(0.8, True) == 0.0 and 0.0 < near_copy(0.85, True) < 1.0
    assert near_copy(1.0, False) == 0.0


@pytest.mark.slow
def test_near_verbatim_copies_are_duplications_and_copies_span_the_range(
        medium: DemoPortfolio) -> None:
    rates = measure(medium)
    near = [rates[f"{s}:>=0.9"] for s in ("program_live", "program_ended", "same_cycle")]
    assert sum(r.n for r in near) > 300
    assert sum(r.n * r.rate for r in near) / sum(r.n for r in near) >= 0.95
    assert all(r.rate >= 0.9 for r in near if r.n >= 30)
    for source in ("program_ended", "same_cycle"):  # duplication rises with closeness
        by_bin = [rates[f"{source}:[{lo},{hi})"] for lo, hi in
                  (("0.5", "0.7"), ("0.8", "0.9"), ("0.9", "1.0"))]
        assert by_bin[0].rate + 0.2 < by_bin[1].rate < by_bin[2].rate
    closeness = medium.quantities["copy_closeness"][np.array(medium.derivation) == "program"]
    assert np.mean(closeness < 0.6) > 0.08 and np.mean(closeness >= 0.9) > 0.15


def test_mechanism_constants_are_consistent() -> None:
    assert set(DRIVERS) == set(OUTCOMES)
    for names in DRIVERS.values():
        assert all(n in COEF for n in names)
    assert not set(NO_EFFECT) & {n for names in DRIVERS.values() for n in names}


@pytest.mark.slow
def test_mechanisms_show_in_the_data(medium: DemoPortfolio) -> None:
    q = medium.quantities
    idle, nd = flags(medium, "idle_assets"), flags(medium, "outputs_not_delivered")
    dup = flags(medium, "duplication_found")
    assets = q["has_assets"] > 0
    plan = q["has_shared_use_plan"] > 0
    assert idle[assets & plan].mean() < idle[assets & ~plan].mean() - 0.08
    assert nd[q["kpi_measurable_share"] >= 0.8].mean() < nd[q["kpi_measurable_share"] <= 0.2].mean()
    assert nd[q["trl_jump"] >= 4].mean() > nd[q["trl_jump"] <= 2].mean()
    derived = np.array([d != "" for d in medium.derivation])
    assert dup[derived].mean() > dup[~derived].mean() + 0.3
    assert idle[assets & (q["om_ratio"] >= 0.1)].mean() < idle[assets & (q["om_ratio"] == 0)].mean()


@pytest.mark.slow
def test_no_effect_quantities_are_unrelated(medium: DemoPortfolio) -> None:
    q = medium.quantities
    for name in OUTCOMES:
        y = flags(medium, name)
        for x in ("cofunding_share", "summary_length"):
            assert abs(np.corrcoef(q[x], y)[0, 1]) < 0.03, (x, name)
    # Province has no term of its own; idle assets has no indirect path through it either.
    provinces = sorted({p.province for p in medium.proposals})
    table = np.zeros((len(provinces), 2))
    for p, o in zip(medium.proposals, medium.outcomes, strict=True):
        table[provinces.index(p.province), int(o.idle_assets)] += 1
    assert chi2_contingency(table).pvalue > 0.001


def test_write_portfolio_and_empty_flag(tmp_path: Path, small: DemoPortfolio) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade_to_head(engine)
    assert database_is_empty(engine)
    seen: list[str] = []
    counts = write_portfolio(engine, small, progress=lambda stage, done, total: seen.append(stage))
    assert not database_is_empty(engine)
    expected = {
        "labs": 60,
        "lab_equipment": sum(len(x.equipment) for x in small.labs),
        "programs": 300,
        "proposals": 2000,
        "proposal_outcomes": 2000,
        "registry_revisions": 1,
    }
    assert counts == expected
    assert {"labs", "programs", "proposals"} <= set(seen)
    with engine.connect() as conn:
        for table, n in expected.items():
            t = Base.metadata.tables[table]
            assert conn.execute(select(func.count()).select_from(t)).scalar_one() == n
        proposals = Base.metadata.tables["proposals"]
        row = conn.execute(select(proposals).where(proposals.c.id == small.proposal_ids[0])).one()
        assert row.kind == "historical"
        assert Proposal.model_validate(row.payload) == small.proposals[0]
        revisions = Base.metadata.tables["registry_revisions"]
        summary = conn.execute(select(revisions.c.summary)).scalar_one()
        assert summary == "demo portfolio, seed 57"
    engine.dispose()
