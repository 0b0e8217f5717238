"""Any screening is reproduced bit for bit from what was recorded with it, after later filings,
registry edits, a new model being promoted and a restart; an edited stored row is named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, AGENCY_B, DemoService, build_demo_service
from wastescreen.domain.proposal import Proposal
from wastescreen.domain.registry import Program
from wastescreen.screening.engine import load_engine
from wastescreen.screening.reproduce import reproduce
from wastescreen.screening.training import train_and_register
from wastescreen.screening.usecases import Actor, Screener
from wastescreen.storage.tables import ScreeningRow

WHO = Actor("test")


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> DemoService:
    """A service of its own: this module promotes a new model and edits the registry."""
    return build_demo_service(tmp_path_factory.mktemp("reproduce") / "var")


def _proposal(agency: str, **changes: Any) -> Proposal:
    data: dict[str, Any] = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    data.update({"agency": agency, **changes})
    return Proposal.model_validate(data)


def _screener(service: DemoService) -> Screener:
    with service.db.sessions() as s:
        return Screener(load_engine(service.settings, s))


def test_a_screening_is_reproduced_after_filings_edits_a_new_model_and_a_restart(
        own: DemoService) -> None:
    screener = _screener(own)
    with own.db.sessions() as s:
        a = screener.submit(s, _proposal(AGENCY_A), WHO)
        b = screener.submit(s, _proposal(AGENCY_B, title="Một đề xuất gần giống"), WHO)
        program = own.portfolio.programs[0]
        edited = Program.model_validate({**program.model_dump(mode="json"),
                                         "objectives": _proposal(AGENCY_A).objectives})
        screener.put_program(s, edited, WHO)  # the registry changes under A
    assert train_and_register(own.settings, own.db) is not None  # a new model is promoted
    _screener(own)  # a restart: a new engine from the database
    with own.db.sessions() as s:
        for screened in (a, b):
            again = reproduce(s, own.settings.models_dir, screened.row.id)
            assert again.identical, (again.differences[:3], again.notes)
    # A later screening of the same proposal differs (new registry, new peer, new model) ...
    with own.db.sessions() as s:
        later = _screener(own).precheck(s, _proposal(AGENCY_A), WHO)
    assert later.result.model_version != a.result.model_version
    # ... and is reproduced too.
    with own.db.sessions() as s:
        assert reproduce(s, own.settings.models_dir, later.row.id).identical


def test_an_edited_stored_band_or_result_is_named(own: DemoService) -> None:
    with own.db.sessions() as s:
        screened = _screener(own).submit(s, _proposal(AGENCY_A, title="Sửa băng"), WHO)
        other = "low" if screened.row.band != "low" else "high"
        s.execute(update(ScreeningRow).where(ScreeningRow.id == screened.row.id)
                  .values(band=other))
        s.commit()
        found = reproduce(s, own.settings.models_dir, screened.row.id)
    assert not found.identical
    assert "screenings.band" in {d.field for d in found.differences}
    with own.db.sessions() as s:
        row = s.get(ScreeningRow, screened.row.id)
        assert row is not None
        row.band = screened.row.band
        row.result = {**row.result, "overall_score": 0.01}
        s.commit()
        found = reproduce(s, own.settings.models_dir, screened.row.id)
    assert {d.field for d in found.differences} >= {"overall_score", "screenings.overall_score"}
