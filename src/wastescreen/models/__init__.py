"""Risk models: training, calibration, registry, exact explanations; never imports the web framework."""  # noqa: E501

import os

# Set OMP_WAIT_POLICY=PASSIVE (unless the environment already sets it) before XGBoost's OpenMP
# runtime starts: with the default spin-waiting, two XGBoost threads on a shared 2-core machine
# that was busy with other work ran 100x slower (34 s instead of 0.27 s for 600 trees on 2,000
# rows). It has no effect when XGBoost was imported before this package.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _import_xgboost_without_sklearn_wrappers() -> None:
    """Import XGBoost before any module of this package does, without the scikit-learn import
    its ``compat`` module tries (about a second, nearly all of a one-shot ``wastescreen screen``'s
    start-up). Only XGBoost's native API (``Booster``, ``DMatrix``, ``train``) is used here;
    its scikit-learn estimator classes are left as XGBoost defines them without scikit-learn.
    When scikit-learn is already imported, nothing is saved and XGBoost is imported as usual."""
    import sys

    if "xgboost" in sys.modules or "sklearn" in sys.modules:
        return
    sys.modules["sklearn"] = None  # type: ignore[assignment]  # `import sklearn` raises ImportError
    try:
        import xgboost  # noqa: F401
    finally:
        del sys.modules["sklearn"]


_import_xgboost_without_sklearn_wrappers()
