"""The naive way to serve a screening, for ``bench.http``: the same app plus one route that
builds a one-row pandas frame and a ``shap.TreeExplainer`` per request, per target."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shap
from fastapi import FastAPI, Request

from wastescreen.api.app import create_app
from wastescreen.domain.proposal import Proposal
from wastescreen.features.build import build_features
from wastescreen.features.proposal_frame import proposals_to_frame


def create_naive_app() -> FastAPI:
    app = create_app()

    @app.post("/naive/prechecks")
    def naive(proposal: Proposal, request: Request) -> dict[str, Any]:
        engine = request.app.state.screener.engine
        frame = proposals_to_frame([proposal], ["naive"])
        features, _ = build_features(frame, engine.context, engine.peers)
        bundle = engine.model.bundle
        x = pd.DataFrame(bundle.encoder.transform(features), columns=bundle.encoder.feature_names)
        out: dict[str, Any] = {}
        for name, model in bundle.models.items():
            explainer = shap.TreeExplainer(model.booster)
            values = explainer.shap_values(x)
            margin = float(np.sum(values) + explainer.expected_value)
            out[name] = float(model.calibration.apply(np.array([margin]))[0])
        return out

    return app
