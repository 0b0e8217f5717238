"""Model registry: XGBoost files + card, SHA-256 checked at load, list / promote / current."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wastescreen.models as models_package
from wastescreen.models.bundle import RiskModelBundle
from wastescreen.models.model_selection import SearchSpace
from wastescreen.models.registry import (
    SYNTHETIC_NOTE,
    VERSION_RE,
    ModelIntegrityError,
    ModelRegistry,
)
from wastescreen.models.spec import BandThresholds, FeatureSpec, TargetSpec
from wastescreen.models.training import train_risk_models

FAST = SearchSpace(
    max_depth=(2,),
    learning_rate=(0.1,),
    min_child_weight=(1.0,),
    max_trees=40,
    early_stopping_rounds=10,
    tree_counts=(20,),
)
TARGETS = [TargetSpec("redundancy", "dup"), TargetSpec("non_delivery", "late")]


def make_frame(n: int = 1500, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "year": rng.integers(2012, 2024, n),
            "budget": rng.normal(size=n),
            "area": rng.choice(["AI", "BIO", "CHIP"], n),
            "shared": rng.random(n) < 0.4,
        }
    )
    df["dup"] = (0.5 * df["budget"] + rng.normal(size=n) > 0.5).astype(int)
    df["late"] = (0.5 * (df["area"] == "AI") + rng.normal(size=n) > 0.6).astype(int)
    return df


@pytest.fixture(scope="module")
def bundle() -> RiskModelBundle:
    features = [
        FeatureSpec("budget", "numeric", {"redundancy": 1}),
        FeatureSpec("area", "categorical"),
        FeatureSpec("shared", "boolean"),
    ]
    return train_risk_models(
        make_frame(),
        features,
        TARGETS,
        time_column="year",
        search=FAST,
        bands=BandThresholds(0.3, 0.55),
    )


def save(reg: ModelRegistry, bundle: RiskModelBundle, second: int = 0) -> str:
    return reg.save(
        bundle,
        synthetic_training_data=True,
        intended_use="test",
        limits="test only",
        now=dt.datetime(2026, 1, 2, 3, 4, second, tzinfo=dt.UTC),
    )


def test_save_writes_xgboost_files_and_full_card(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    version = save(reg, bundle)
    assert VERSION_RE.match(version) and version.startswith("20260102-030400-")
    files = sorted(p.name for p in (tmp_path / version).iterdir())
    assert files == ["card.json", "non_delivery.ubj", "redundancy.ubj", "report.json"]
    card = reg.card(version)
    assert card["synthetic_training_data"] is True and card["synthetic_note"] == SYNTHETIC_NOTE
    assert {"xgboost", "numpy", "pandas", "sklearn", "python"} <= set(card["library_versions"])
    assert card["band_thresholds"] == {"medium": 0.3, "high": 0.55}
    assert card["features"][0] == {
        "name": "budget",
        "kind": "numeric",
        "monotone": {"redundancy": 1},
    }
    assert len(card["training_data"]["data_sha256"]) == 64
    assert card["training_data"]["time_range"] == ["2012", "2023"]
    for name in ("redundancy", "non_delivery"):
        entry = card["models"][name]
        assert len(entry["sha256"]) == 64 and 0 < entry["base_rate"] < 1
        assert entry["calibration"]["method"] in {"isotonic", "platt"}
    assert card["metrics_summary"]["redundancy"]["roc_auc"] > 0.5


def test_load_reproduces_scores(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    loaded = reg.load(save(reg, bundle))
    frame = make_frame(300, seed=9)
    before, after = bundle.predict_proba(frame), loaded.predict_proba(frame)
    for key in ("redundancy", "non_delivery", "overall"):
        assert np.array_equal(before[key], after[key])
    assert loaded.bands == bundle.bands


def test_changed_model_byte_is_refused(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    version = save(reg, bundle)
    path = tmp_path / version / "redundancy.ubj"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"redundancy\.ubj") as info:
        reg.load(version)
    assert info.value.expected == reg.card(version)["models"]["redundancy"]["sha256"]
    assert info.value.actual != info.value.expected
    assert info.value.expected in str(info.value) and info.value.actual in str(info.value)


def test_card_hash_mismatch_is_refused(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    version = save(reg, bundle)
    card_path = tmp_path / version / "card.json"
    card = json.loads(card_path.read_text())
    card["models"]["non_delivery"]["sha256"] = "0" * 64
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelIntegrityError, match=r"non_delivery\.ubj"):
        reg.load(version)


def test_list_promote_current(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    assert reg.list() == [] and reg.current_version() is None
    with pytest.raises(LookupError):
        reg.current()
    first, second = save(reg, bundle, 0), save(reg, bundle, 1)
    assert reg.list() == [first, second]
    reg.promote(first)
    assert reg.current_version() == first
    assert reg.current().training == bundle.training
    reg.promote(second)
    assert json.loads((tmp_path / "current.json").read_text())["version"] == second
    with pytest.raises(KeyError):
        reg.promote("20990101-000000-deadbeef")
    with pytest.raises(FileExistsError):
        save(reg, bundle, 1)


def test_card_edited_after_promotion_is_refused(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    version = save(reg, bundle)
    reg.promote(version)
    card_path = tmp_path / version / "card.json"
    card = json.loads(card_path.read_text())
    card["band_thresholds"] = {"medium": 0.9, "high": 0.95}  # silently relax the bands
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelIntegrityError, match=r"card\.json"):
        reg.current()


def test_no_pickle_anywhere(tmp_path: Path, bundle: RiskModelBundle) -> None:
    reg = ModelRegistry(tmp_path)
    save(reg, bundle)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert path.suffix in {".json", ".ubj"}
            assert not path.read_bytes().startswith(b"\x80")  # pickle protocol marker
    # The package's own files, wherever the tests run from (an empty glob would prove nothing).
    files = list(Path(models_package.__file__).parent.glob("*.py"))
    assert len(files) > 5
    sources = "".join(p.read_text() for p in files)
    assert "import pickle" not in sources and "joblib" not in sources
