"""Training and promoting models with their database record and audit events."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from wastescreen.core.settings import Settings
from wastescreen.features.build import feature_fingerprint
from wastescreen.models.registry import ModelRegistry
from wastescreen.models.spec import BandThresholds
from wastescreen.screening.training import register_bundle, train_bundle, training_set
from wastescreen.storage.audit_log import append_event
from wastescreen.storage.database import Database
from wastescreen.storage.history import load_history, load_history_file, load_registry
from wastescreen.storage.tables import AuditEventRow, ModelVersionRow


def _holds_demo_data(db: Database) -> bool:
    with db.sessions() as session:
        return session.execute(select(AuditEventRow.seq).where(
            AuditEventRow.action == "registry.demo_seed").limit(1)).first() is not None


def train_and_register(settings: Settings, db: Database, *, source: Path | None = None,
                       if_missing: bool = False, promote: bool = True,
                       synthetic: bool | None = None) -> str | None:
    """Train on the database's history (or ``source``); returns the version, or None when
    ``if_missing`` and a model is already current and was trained with today's features."""
    registry = ModelRegistry(settings.models_dir)
    if if_missing and registry.current_version() is not None and (
            registry.current().training.get("feature_fingerprint") == feature_fingerprint()):
        return None
    with db.sessions() as session:
        history = load_history_file(source) if source else load_history(session)
        reg = load_registry(session)
    if not history.ids:
        raise RuntimeError("no historical proposals with outcomes to train on "
                           "(run `wastescreen demo` or pass --from FILE)")
    if synthetic is None:
        synthetic = source is None and _holds_demo_data(db)
    bundle = train_bundle(training_set(history, reg),
                          BandThresholds(settings.band_medium, settings.band_high))
    version = register_bundle(settings.models_dir, bundle, synthetic=synthetic, promote=False)
    card = registry.card(version)
    with db.sessions() as session:
        session.add(ModelVersionRow(version=version, path=str(settings.models_dir / version),
                                    sha256=card["models"][next(iter(card["models"]))]["sha256"],
                                    card=card, is_current=False))
        append_event(session, actor="cli", action="model.train", subject=version,
                     details={"synthetic": synthetic, "rows": len(history.ids),
                              "source": str(source) if source else "database"})
        session.commit()
    if promote:
        promote_version(settings, db, version)
    return version


def promote_version(settings: Settings, db: Database, version: str) -> None:
    """Make ``version`` current (hash-checked by the registry) and record it."""
    ModelRegistry(settings.models_dir).promote(version)
    with db.sessions() as session:
        session.execute(update(ModelVersionRow).values(is_current=False))
        session.execute(update(ModelVersionRow).where(ModelVersionRow.version == version)
                        .values(is_current=True))
        append_event(session, actor="cli", action="model.promote", subject=version, details={})
        session.commit()
