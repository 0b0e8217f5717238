"""Wall time of a one-shot ``wastescreen screen examples/proposal.json``, beside the code before
issue 17 (a git worktree of ``--baseline`` run by the same interpreter), in the same run.

Each round runs, one after the other: the baseline; today's command; today's command again
after deleting the saved snapshots (what the first screening after a registry change, a new
outcome or a new submission pays: it loads from the database and saves them again); and
``wastescreen version`` (the interpreter and the command line alone). Every run is a new
process, as a person at a terminal would start it. The baseline's engine is loaded from the
database as it always was; both screen the same proposal against the same data.

Usage: ``python -m bench.screen_wall [--var DIR] [--rounds 5] [--baseline COMMIT]``: a var
folder with data and a promoted model (the one ``make run`` fills: 400 labs, 5,000 programs,
30,000 past proposals, 300 submissions); without it a small demo set-up is built in a temporary
folder. Writes ``bench/results/screen-wall.json``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, print_table, write_results
from bench.precheck_driver import var_folder

BASELINE = "4215941"  # main before issue 17's one-shot work (sklearn, alembic, snapshots)
TARGET_S = 2.0
EXAMPLE = ROOT / "examples" / "proposal.json"
SNAPSHOTS = ("context.json", "peers")


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr.decode()[-2000:]}")
    return took


def _drop_snapshots(var: Path) -> None:
    for name in SNAPSHOTS:
        path = var / "index" / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def measure(var: Path, rounds: int, baseline: str) -> dict[str, list[float]]:
    """Seconds of wall time per run, by path."""
    env = {**os.environ, "WASTESCREEN_VAR_DIR": str(var)}
    screen = [sys.executable, "-m", "wastescreen.cli.main", "screen", str(EXAMPLE)]
    times: dict[str, list[float]] = {"baseline": [], "ours": [], "ours_cold": [], "version": []}
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree),
                        baseline], check=True, capture_output=True)
        # Both with compiled modules (``make install`` compiles src/ for ours).
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src"),
                        str(ROOT / "src")], check=True, capture_output=True)
        try:
            old_env = {**env, "PYTHONPATH": str(tree / "src")}
            _run(screen, env)  # builds the snapshots once
            for _ in range(rounds):
                times["baseline"].append(_run(screen, old_env))
                times["ours"].append(_run(screen, env))
                _drop_snapshots(var)
                times["ours_cold"].append(_run(screen, env))
                times["version"].append(_run([sys.executable, "-m", "wastescreen.cli.main",
                                              "version"], env))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(tree)], check=False, capture_output=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    with var_folder(args.var) as var:
        times = measure(var, args.rounds, args.baseline)
    med = {k: statistics.median(v) for k, v in times.items()}
    load = os.getloadavg()[0]
    print_table(f"wastescreen screen, wall seconds (median of {args.rounds}; "
                f"load average {load:.1f})", [
        ("one-shot screen, snapshots saved", f"{med['baseline']:.2f}", f"{med['ours']:.2f}",
         f"<= {TARGET_S:.1f}"),
        ("first screen after a change (snapshots rebuilt)", f"{med['baseline']:.2f}",
         f"{med['ours_cold']:.2f}", ""),
        ("wastescreen version (interpreter and CLI)", "", f"{med['version']:.2f}", ""),
    ])
    out = write_results("screen-wall", {
        "screen_wall_s": med["ours"], "screen_wall_s_baseline": med["baseline"],
        "screen_wall_s_cold": med["ours_cold"], "version_wall_s": med["version"],
        "runs_s": times, "baseline_commit": args.baseline, "rounds": args.rounds,
        "load_average_1min": load, "var": "given" if args.var else "small demo",
        "target_s": TARGET_S})
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
