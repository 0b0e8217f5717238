"""The two ways to start the service on a fresh machine — ``make run`` and the Docker image —
do the same set-up steps in the same order, so both open on a live current cycle."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["demo --if-empty", "train --if-missing", "demo cycle --if-empty", "serve"]


def _steps(text: str) -> list[str]:
    found = re.findall(r"wastescreen ((?:demo cycle|demo|train|serve)\b[^&\"\n]*)", text)
    return [" ".join(s.split()[:3 if s.startswith("demo cycle") else 2]).replace(" --host", "")
            .strip() for s in found]


def test_make_run_and_the_docker_image_set_up_alike() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    cmd = next(line for line in (ROOT / "Dockerfile").read_text("utf-8").splitlines()
               if line.startswith("CMD "))
    assert _steps(run) == STEPS
    assert _steps(cmd) == STEPS
