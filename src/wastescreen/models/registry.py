"""Versioned model store: XGBoost's own UBJSON files plus a JSON card, checked by SHA-256 at load.

Layout under ``directory``::

    <version>/card.json          features, targets, data hash and range, metrics, versions, hashes
    <version>/report.json        the full evaluation report
    <version>/<target>.ubj       one booster per target (Booster.save_model; never pickle)
    current.json                 {"version": ..., "card_sha256": ...} written by promote()

A version is named ``YYYYMMDD-HHMMSS-<first 8 hex of the SHA-256 over the model file hashes>``
(UTC). :meth:`ModelRegistry.load` hashes the bytes it loads and refuses any file whose hash is not
the one recorded in the card, and :meth:`ModelRegistry.current` also refuses a card that changed
after promotion, with :class:`ModelIntegrityError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from wastescreen.models.bundle import RiskModelBundle, TargetModel
from wastescreen.models.calibration import Calibration
from wastescreen.models.spec import BandThresholds, FeatureEncoder, FeatureSpec, TargetSpec

CARD = "card.json"
POINTER = "current.json"
VERSION_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")
SYNTHETIC_NOTE = (
    "This model was trained on synthetic data generated from documented mechanisms, not on real "
    "proposal outcomes; its scores illustrate the method and must not be read as evidence."
)


class ModelIntegrityError(RuntimeError):
    """A stored file's SHA-256 differs from the one its card (or the promotion pointer) records."""

    def __init__(self, path: Path, expected: str, actual: str) -> None:
        super().__init__(
            f"refusing to load {path}: its SHA-256 is {actual} but {expected} was recorded; "
            "the file was changed or does not belong to this model version"
        )
        self.path, self.expected, self.actual = path, expected, actual


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a saved model depends on, and of Python."""
    return {
        "python": platform.python_version(),
        "xgboost": str(xgb.__version__),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "sklearn": importlib.metadata.version("scikit-learn"),  # without importing it
    }


def _metrics_summary(report: dict[str, Any]) -> dict[str, Any]:
    test = report.get("test", {})
    summary = {
        name: {k: block.get(k) for k in ("n", "base_rate", "roc_auc", "pr_auc", "brier")}
        for name, block in test.get("targets", {}).items()
    }
    if "overall" in test:
        summary["overall"] = {
            k: test["overall"].get(k) for k in ("n", "base_rate", "roc_auc", "pr_auc", "brier")
        }
    return summary


class ModelRegistry:
    """Save, list, load and promote bundle versions under one directory."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def save(
        self,
        bundle: RiskModelBundle,
        *,
        synthetic_training_data: bool,
        intended_use: str,
        limits: str,
        now: dt.datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Write a new version (not promoted) and return its name; ``extra`` adds JSON-able
        entries to its card."""
        self.directory.mkdir(parents=True, exist_ok=True)
        blobs = {
            f"{t.name}.ubj": bytes(bundle.models[t.name].booster.save_raw("ubj"))
            for t in bundle.targets
        }
        hashes = {name: _sha256(data) for name, data in blobs.items()}
        short = _sha256("".join(hashes[k] for k in sorted(hashes)).encode())[:8]
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
        version = f"{stamp}-{short}"
        if (self.directory / version).exists():
            raise FileExistsError(f"model version {version} already exists")
        card = {
            "version": version,
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "features": [f.to_dict() for f in bundle.features],
            "targets": [t.to_dict() for t in bundle.targets],
            "encoder": bundle.encoder.to_dict(),
            "training_data": bundle.training,
            "metrics_summary": _metrics_summary(bundle.report),
            "leakage_flags": bundle.leakage_flags,
            "library_versions": library_versions(),
            "intended_use": intended_use,
            "limits": limits,
            "synthetic_training_data": synthetic_training_data,
            "synthetic_note": SYNTHETIC_NOTE if synthetic_training_data else None,
            "overall_score": "noisy-OR: 1 - prod(1 - p) over the calibrated target probabilities",
            "band_thresholds": {"medium": bundle.bands.medium, "high": bundle.bands.high},
            "models": {
                t.name: {
                    "file": f"{t.name}.ubj",
                    "sha256": hashes[f"{t.name}.ubj"],
                    "n_trees": m.n_trees,
                    "params": m.params,
                    "base_rate": m.base_rate,
                    "validation_auc": m.validation_auc,
                    "calibration": m.calibration.to_dict(),
                }
                for t in bundle.targets
                for m in [bundle.models[t.name]]
            },
            **(extra or {}),
        }
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=self.directory))
        for name, data in blobs.items():
            (tmp / name).write_bytes(data)
        (tmp / "report.json").write_text(
            json.dumps(bundle.report, indent=1, default=str), encoding="utf-8"
        )
        (tmp / CARD).write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
        tmp.rename(self.directory / version)
        return version

    def list(self) -> list[str]:
        """Saved version names, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p.name for p in self.directory.iterdir() if p.is_dir() and VERSION_RE.match(p.name)
        )

    def card(self, version: str) -> dict[str, Any]:
        """The parsed card of ``version``."""
        return dict(json.loads(self._dir(version).joinpath(CARD).read_text(encoding="utf-8")))

    def _dir(self, version: str) -> Path:
        if not VERSION_RE.match(version) or not (self.directory / version).is_dir():
            raise KeyError(f"no model version {version!r} in {self.directory}")
        return self.directory / version

    def load(self, version: str) -> RiskModelBundle:
        """Rebuild the bundle of ``version``; :class:`ModelIntegrityError` on a hash mismatch."""
        folder = self._dir(version)
        card = self.card(version)
        models: dict[str, TargetModel] = {}
        targets = tuple(TargetSpec.from_dict(t) for t in card["targets"])
        for target in targets:
            entry = card["models"][target.name]
            path = folder / entry["file"]
            data = path.read_bytes()
            actual = _sha256(data)
            if actual != entry["sha256"]:
                raise ModelIntegrityError(path, entry["sha256"], actual)
            booster = xgb.Booster()
            booster.load_model(bytearray(data))
            models[target.name] = TargetModel(
                target=target,
                booster=booster,
                params=entry["params"],
                n_trees=entry["n_trees"],
                calibration=Calibration.from_dict(entry["calibration"]),
                base_rate=entry["base_rate"],
                validation_auc=entry["validation_auc"],
            )
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        return RiskModelBundle(
            features=tuple(FeatureSpec.from_dict(f) for f in card["features"]),
            targets=targets,
            encoder=FeatureEncoder.from_dict(card["encoder"]),
            models=models,
            bands=BandThresholds(**card["band_thresholds"]),
            training=card["training_data"],
            report=report,
            leakage_flags=card["leakage_flags"],
        )

    def promote(self, version: str) -> None:
        """Make ``version`` current (after checking it loads); records the card's SHA-256."""
        self.load(version)
        pointer = {
            "version": version,
            "card_sha256": _sha256((self._dir(version) / CARD).read_bytes()),
            "promoted_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        tmp = self.directory / f".{POINTER}.tmp"
        tmp.write_text(json.dumps(pointer, indent=2), encoding="utf-8")
        tmp.replace(self.directory / POINTER)

    def current_version(self) -> str | None:
        """The promoted version name, or None."""
        path = self.directory / POINTER
        return (
            str(json.loads(path.read_text(encoding="utf-8"))["version"]) if path.exists() else None
        )

    def current(self) -> RiskModelBundle:
        """Load the promoted version; refuses a card changed since promotion; LookupError: none."""
        path = self.directory / POINTER
        if not path.exists():
            raise LookupError(f"no model has been promoted in {self.directory}")
        pointer = json.loads(path.read_text(encoding="utf-8"))
        card_path = self._dir(pointer["version"]) / CARD
        actual = _sha256(card_path.read_bytes())
        if actual != pointer["card_sha256"]:
            raise ModelIntegrityError(card_path, pointer["card_sha256"], actual)
        return self.load(pointer["version"])

    def versions_with_cards(self) -> Sequence[tuple[str, dict[str, Any]]]:
        """(version, card) pairs, oldest first."""
        return [(v, self.card(v)) for v in self.list()]
