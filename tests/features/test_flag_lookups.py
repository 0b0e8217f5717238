"""``FlagLookups.holders`` answers a request from an earlier, wider one of the same region and
year by narrowing its holders: the answer is what the registry's ``SharedUseLabs`` gives."""

from __future__ import annotations

import random

from tests.demo_service import DemoService
from wastescreen.features.flag_inputs import FlagLookups
from wastescreen.screening.engine import load_engine
from wastescreen.storage.database import open_database


def test_holders_of_narrower_requests_are_the_registrys(service: DemoService) -> None:
    db = open_database(service.settings, migrate=False)
    with db.sessions() as session:
        engine = load_engine(service.settings, session)
    db.dispose()
    shared = engine.context.shared_use
    rng = random.Random(17)
    lookups = FlagLookups(engine.context, engine.peers)
    narrowed = 0
    for region, labs in sorted(shared.labs_.items()):
        held = sorted({c for _, lab in labs for c in lab.categories})
        for year in (2018, 2026):
            # A wide request, then requests for parts of it (answered by narrowing), then
            # requests reaching beyond it (answered by the registry).
            wide = rng.sample(held, min(4, len(held)))
            parts = [rng.sample(wide, rng.randint(1, len(wide))) for _ in range(4)]
            beyond = [[*p, c] for p in parts[:2] for c in held if c not in wide][:2]
            for cats in [wide, *parts, *beyond]:
                requested = {c: rng.randint(0, 3) for c in cats}
                requested[cats[0]] = 1  # at least one category is asked for
                got = lookups.holders(region, year, requested)
                assert got == shared.holders(region, year, requested), (region, year, cats)
                narrowed += any(h.categories != lab.categories for h in got
                                for _, lab in labs if lab.lab_code == h.lab_code)
    assert narrowed > 0  # some answers hold fewer categories than their lab
