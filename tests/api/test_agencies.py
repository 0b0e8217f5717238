"""Agencies are a known list, identified by their folded name: one agency however its name is
spelled on a key or a proposal; invisible characters and unknown agencies are refused; and
another agency's same-cycle proposal shows only as an overlap score."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.test_api import proposal
from tests.demo_service import AGENCY_A, AGENCY_B, DemoService
from wastescreen.api.app import create_app
from wastescreen.features.overlap_index import OverlapDoc, OverlapIndex


@pytest.fixture(scope="module")
def client(service: DemoService) -> Iterator[TestClient]:
    with TestClient(create_app(service.settings)) as c:
        yield c


def new_key(client: TestClient, service: DemoService, agency: str) -> dict[str, object]:
    r = client.post("/v1/keys", json={"role": "agency", "agency": agency, "label": "variant"},
                    headers=service.auth("admin"))
    assert r.status_code in (201, 422), r.text
    return dict(r.json())


SPELLINGS = {
    "trailing space": AGENCY_A + " ",
    "NFD": unicodedata.normalize("NFD", AGENCY_A),
    "no-break space": AGENCY_A.replace(" ", "\u00a0", 1),
    "double space": AGENCY_A.replace(" ", "  ", 1),
    "upper case": AGENCY_A.upper(),
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_a_key_for_any_spelling_is_the_agency_itself(client: TestClient, service: DemoService,
                                                    spelling: str) -> None:
    created = new_key(client, service, spelling)
    assert created["agency"] == AGENCY_A  # stored under the known spelling
    h = {"Authorization": f"Bearer {created['key']}"}
    own = client.get("/v1/screenings?limit=200", headers=h).json()
    ref = client.get("/v1/screenings?limit=200", headers=service.auth("agency_a")).json()
    assert own["total"] == ref["total"] > 0
    sid = ref["items"][0]["id"]
    assert client.get(f"/v1/screenings/{sid}", headers=h).status_code == 200
    # ... and files as that agency, whatever spelling the proposal uses
    r = client.post("/v1/prechecks", json=proposal(spelling), headers=h)
    assert r.status_code == 201 and r.json()["result"]["agency"] == AGENCY_A


@pytest.mark.parametrize("name", [AGENCY_A.replace(" ", " \u200b", 1), "\u200d" + AGENCY_A,
                                  AGENCY_A + "\ufeff", AGENCY_A.replace(" ", "\u202e", 1)])
def test_names_with_invisible_characters_are_refused(client: TestClient, service: DemoService,
                                                     name: str) -> None:
    refused = new_key(client, service, name)
    assert refused["error"]["field"] == "agency"  # type: ignore[index]
    assert refused["error"]["details"][0]["rule"] == "format_character"  # type: ignore[index]
    r = client.post("/v1/agencies", json={"name": name}, headers=service.auth("admin"))
    assert r.status_code == 422 and r.json()["error"]["details"][0]["rule"] == "format_character"
    r = client.post("/v1/prechecks", json=proposal(name), headers=service.auth("reviewer"))
    assert r.status_code == 422 and r.json()["error"]["field"] == "agency"


def test_a_key_for_an_unknown_agency_is_refused_saying_how_to_add_it(
        client: TestClient, service: DemoService) -> None:
    name = "Viện Chưa Ai Biết 99"
    refused = new_key(client, service, name)
    err = refused["error"]
    assert err["field"] == "agency" and err["details"][0]["rule"] == "unknown_agency"  # type: ignore[index]
    assert "wastescreen agencies add" in err["message"] and "/v1/agencies" in err["message"]  # type: ignore[index]
    admin = service.auth("admin")
    added = client.post("/v1/agencies", json={"name": name + "  "}, headers=admin)
    assert added.status_code == 201 and added.json()["name"] == name
    again = client.post("/v1/agencies", json={"name": name.upper()}, headers=admin)
    assert again.status_code == 200 and again.json()["name"] == name
    assert new_key(client, service, name.lower())["agency"] == name
    names = {a["name"] for a in client.get("/v1/agencies", headers=admin).json()}
    assert {name, AGENCY_A, AGENCY_B} <= names
    assert client.get("/v1/agencies", headers=service.auth("reviewer")).status_code == 403


def test_registry_agencies_are_known(client: TestClient, service: DemoService) -> None:
    admin = service.auth("admin")
    program = client.get("/v1/registry/programs?limit=1", headers=admin).json()[0]
    assert new_key(client, service, program["managing_agency"].upper())["agency"] == \
        program["managing_agency"]
    lab = {"lab_code": "LAB-NEW-HOST", "name": "Phòng thí nghiệm mới", "province": "Huế",
           "host": "Trung tâm Mới Thành lập 1", "technology_area": "SEMICONDUCTORS",
           "year_established": 2024}
    assert client.put("/v1/registry/labs/LAB-NEW-HOST", json=lab, headers=admin).status_code == 200
    assert new_key(client, service, "trung tâm mới thành lập 1")["agency"] == lab["host"]


def test_queue_filter_and_access_match_any_spelling(client: TestClient,
                                                    service: DemoService) -> None:
    reviewer = service.auth("reviewer")
    exact = client.get(f"/v1/screenings?agency={AGENCY_A}", headers=reviewer).json()["total"]
    upper = client.get("/v1/screenings", params={"agency": AGENCY_A.upper() + " "},
                       headers=reviewer).json()["total"]
    assert exact == upper > 0
    own = client.get("/v1/screenings", params={"agency": AGENCY_A.lower()},
                     headers=service.auth("agency_a")).json()["total"]
    assert own == exact


def test_another_agencys_proposal_is_only_an_overlap_score(client: TestClient,
                                                           service: DemoService) -> None:
    """Same title, place, area, budget and equipment: a reviewer sees all of it; agency A sees
    that something overlaps, and how much, but no component that says where it is, what it
    buys or how large it is."""
    title = "Trung tâm thiết kế vi mạch dùng chung Bắc Ninh"
    twin = proposal(AGENCY_B, title=title, province="Bắc Ninh")
    assert client.post("/v1/screenings", json=twin,
                       headers=service.auth("agency_b")).status_code == 201
    mine = client.post("/v1/prechecks", json=proposal(title=title, province="Bắc Ninh"),
                       headers=service.auth("agency_a")).json()
    full = client.get(f"/v1/screenings/{mine['id']}", headers=service.auth("reviewer")).json()
    by_b = [e for e in full["result"]["evidence"] if e["kind"] == "proposal"
            and e["host"] == AGENCY_B and e["name"] == title]
    assert by_b and by_b[0]["distance"] == "same_province"  # what the reviewer may see
    assert by_b[0]["components"]["place"] == 1.0
    for seen in (mine, client.get(f"/v1/screenings/{mine['id']}",
                                  headers=service.auth("agency_a")).json()):
        others = [e for e in seen["result"]["evidence"]
                  if e["kind"] == "proposal" and e["host"] != AGENCY_A]
        assert others
        assert by_b[0]["score"] in {e["score"] for e in others}  # the score is told
        for e in others:
            assert e["name"].endswith("a proposal of another agency overlaps yours")
            assert (e["code"], e["host"], e["province"], e["distance"]) == ("", "", "",
                                                                            "unknown")
            assert e["budget_vnd"] is None and e["shared_equipment"] == {}
            assert {k: v for k, v in e["components"].items() if v} == {}


def test_the_overlap_index_compares_agencies_by_identity() -> None:
    doc = OverlapDoc("prog-1", "program", "Chương trình vật liệu nano ứng dụng", (), "Hà Nội",
                     "RRD", "MATERIALS", 10_000_000_000, 2020, AGENCY_A)
    index = OverlapIndex().fit([doc])

    def agency_component(group: str) -> float:
        q = OverlapDoc("q", "proposal", doc.text, (), "Hà Nội", "RRD", "MATERIALS",
                       10_000_000_000, 2026, group)
        return index.query(q, k=1)[0].components["agency"]

    for spelling in SPELLINGS.values():
        assert agency_component(spelling) == 1.0, spelling
    assert agency_component("Vien Cong nghe Mau 07") == 0.0  # accents are part of the name
