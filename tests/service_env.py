"""A small, real service set-up shared by the API tests: database, demo data, trained model.

Built once per test session (about half a minute): a SQLite database under a temp folder with
a small demo portfolio, a model trained on it and promoted, and one API key per role.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wastescreen.core.settings import Settings
from wastescreen.demo_portfolio import generate_portfolio, write_portfolio
from wastescreen.screening.model_admin import train_and_register
from wastescreen.storage.api_keys import Role, create_key
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.database import open_database

AGENCY_A = "Viện Công nghệ Mẫu 07"
AGENCY_B = "Trường Đại học Minh họa 3"


@dataclass(frozen=True)
class ServiceEnv:
    settings: Settings
    keys: dict[str, str]  # "agency_a", "agency_b", "reviewer", "auditor", "admin" -> key
    model_version: str

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


def build_service_env(var_dir: Path, **overrides: object) -> ServiceEnv:
    """Create the set-up under ``var_dir`` (settings overrides are passed to ``Settings``)."""
    settings = Settings(var_dir=var_dir, **overrides)  # type: ignore[arg-type]
    db = open_database(settings)
    portfolio = generate_portfolio(57, n_labs=60, n_programs=600, n_proposals=2500)
    write_portfolio(db.engine, portfolio)
    with db.sessions() as session:
        append_event(session, actor="test", action="registry.demo_seed", subject="seed:57",
                     details={})
        session.commit()
    version = train_and_register(settings, db)
    assert version is not None
    keys = {}
    with db.sessions() as session:
        for name, role, agency in (("agency_a", Role.AGENCY, AGENCY_A),
                                   ("agency_b", Role.AGENCY, AGENCY_B),
                                   ("reviewer", Role.REVIEWER, None),
                                   ("auditor", Role.AUDITOR, None),
                                   ("admin", Role.ADMIN, None)):
            keys[name], _ = create_key(session, role, agency=agency, label=name)
    db.dispose()
    return ServiceEnv(settings=settings, keys=keys, model_version=version)
