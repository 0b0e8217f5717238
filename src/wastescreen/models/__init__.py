"""Risk models: training, calibration, registry, exact explanations; never imports the web framework."""  # noqa: E501

import os

# Set OMP_WAIT_POLICY=PASSIVE (unless the environment already sets it) before XGBoost's OpenMP
# runtime starts: with the default spin-waiting, two XGBoost threads on a shared 2-core machine
# that was busy with other work ran 100x slower (34 s instead of 0.27 s for 600 trees on 2,000
# rows). It has no effect when XGBoost was imported before this package.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
