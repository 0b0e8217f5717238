"""A model is only served and kept with the similarity features it was trained with."""

from __future__ import annotations

import pytest

from tests.demo_service import DemoService
from wastescreen.features.build import feature_fingerprint
from wastescreen.screening import training as model_admin
from wastescreen.screening.training import train_and_register
from wastescreen.storage.database import open_database


def test_train_if_missing_retrains_when_the_feature_code_changed(
        service: DemoService, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_database(service.settings)
    try:
        assert train_and_register(service.settings, db, if_missing=True) is None
        changed = {**feature_fingerprint(), "text_version": "a later tokenizer"}
        monkeypatch.setattr(model_admin, "feature_fingerprint", lambda: changed)
        version = train_and_register(service.settings, db, if_missing=True, promote=False)
        assert version is not None and version != service.model_version
    finally:
        db.dispose()
