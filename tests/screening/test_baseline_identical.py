"""The service screens exactly as the path before issue 17 did (the frozen baseline in
``bench/baseline``), bit for bit: scores, bands, reasons, SHAP values, what-ifs, evidence, red
flags, the stored JSON and its audited hash, the inputs recorded with it, an agency's redacted
view and the API's answer. Floats are compared through their JSON (the shortest text that
reads back to the same bits), never approximately."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bench.baseline import route as baseline_route
from bench.baseline import service as baseline
from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService, varied_proposals
from wastescreen.api.app import create_app
from wastescreen.api.routes_screenings import json_response
from wastescreen.api.schemas import ScreeningOut
from wastescreen.core.canonical import canonical_json
from wastescreen.domain.proposal import Proposal
from wastescreen.screening.engine import ScreeningEngine, load_engine
from wastescreen.screening.review import redact_for
from wastescreen.screening.service import screen_and_record
from wastescreen.storage.api_keys import Principal, Role
from wastescreen.storage.tables import AuditEventRow, ScreeningRow

SCREENINGS = 240
THROUGH_THE_API = 12
AS_OF = dt.date(2025, 12, 1)


@pytest.fixture(scope="module")
def engine(service: DemoService) -> ScreeningEngine:
    with service.db.sessions() as session:
        return load_engine(service.settings, session)


def _agency(p: Proposal) -> Principal:
    return Principal(key_id=0, role=Role.AGENCY, agency=p.agency, label="test")


def _other_agency() -> Principal:
    return Principal(key_id=0, role=Role.AGENCY, agency="Một cơ quan khác", label="test")


@pytest.mark.parametrize("scorer", ["kernel", "postings"])
def test_the_service_screens_as_the_baseline_did_bit_for_bit(
        engine: ScreeningEngine, service: DemoService, scorer: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways the service scores a screening's text pairs: the compiled kernel a server
    loads at start-up, and the NumPy posting walk of a one-shot screening (whether an earlier
    test loaded the kernel must not decide which one is compared)."""
    from wastescreen.features import overlap_query
    from wastescreen.features.pair_dots import load_kernel
    loaded = scorer == "kernel" and load_kernel()
    assert loaded or scorer == "postings"
    monkeypatch.setattr(overlap_query, "kernel_loaded", lambda: loaded)
    proposals = varied_proposals(service, SCREENINGS)
    assert len({p.model_dump_json() for p in proposals}) == SCREENINGS
    seen_bands: set[str] = set()
    seen_changes: set[str] = set()
    seen_fired: set[str] = set()
    for i, p in enumerate(proposals):
        pid = f"identical-{i}"
        old, old_inputs = baseline.screen_and_record(engine, p, pid, as_of=AS_OF)
        new, new_inputs = screen_and_record(engine, p, pid, as_of=AS_OF)
        assert new.model_dump_json() == old.model_dump_json(), p.title
        assert json.dumps(new.model_dump(mode="json"), sort_keys=True) == json.dumps(
            old.model_dump(mode="json"), sort_keys=True)
        assert json.dumps(new_inputs, sort_keys=True) == json.dumps(old_inputs, sort_keys=True)
        for who in (_agency(p), _other_agency()):
            assert redact_for(who, new).model_dump_json() == \
                redact_for(who, old).model_dump_json()
        seen_bands.add(old.band)
        seen_changes.update(w.change.split(":")[0] for w in old.what_if)
        seen_fired.update(f.id for f in old.flags if f.status == "fired")
    # The proposals exercised what there is to compare.
    assert seen_bands == {"low", "medium", "high"}
    assert len(seen_changes) >= 4 and len(seen_fired) >= 3


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(baseline_route.mount(create_app(service.settings))) as c:
        yield c


def _body(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body = dict(answer.json())
    for name in ("id", "proposal_id", "created_at"):  # what names the stored screening
        assert body.pop(name)
    return body


def _stored(demo: DemoService, screening_id: str) -> tuple[str, str]:
    """A stored screening's result (canonical JSON of what reads back) and the hash its audit
    event recorded."""
    with demo.db.sessions() as session:
        row = session.get(ScreeningRow, screening_id)
        assert row is not None
        event = session.execute(select(AuditEventRow).where(
            AuditEventRow.subject == screening_id)).scalar_one()
        return canonical_json(row.result), str(event.details["result_sha256"])


def test_the_api_answers_and_stores_as_the_baseline_did(client: TestClient,
                                                        service: DemoService) -> None:
    for i, p in enumerate(varied_proposals(service, THROUGH_THE_API)):
        payload = p.model_dump(mode="json")
        who = "agency_a" if p.agency == AGENCY_A else "reviewer"
        old = client.post(baseline_route.PATH, json=payload, headers=service.auth(who))
        new = client.post("/v1/prechecks", json=payload, headers=service.auth(who))
        old_stored, new_stored = _stored(service, old.json()["id"]), _stored(service,
                                                                              new.json()["id"])
        assert json.dumps(_body(new), sort_keys=True) == json.dumps(_body(old), sort_keys=True), i
        assert new_stored == old_stored
        assert new_stored[1] == hashlib.sha256(new_stored[0].encode("utf-8")).hexdigest()


def test_a_result_put_in_place_gives_the_same_body(engine: ScreeningEngine) -> None:
    p = _proposals_of_example()
    result, _ = screen_and_record(engine, p, "in-place", as_of=AS_OF)
    out = ScreeningOut(id="s", proposal_id="p", kind="precheck", status="precheck",
                       created_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), result=result)
    assert json_response(out, 201, result.model_dump_json()).body == json_response(out, 201).body


def _proposals_of_example() -> Proposal:
    return Proposal.model_validate_json((EXAMPLES / "proposal.json").read_text("utf-8"))
