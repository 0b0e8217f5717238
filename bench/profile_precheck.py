"""Where the CPU of one ``POST /v1/prechecks`` goes: a sampling profile of pre-checks through
the app in process (ASGI), after a warm-up, as a flame graph and as collapsed stacks.

Usage: ``python -m bench.profile_precheck [--var DIR] [--requests 400] [--baseline]``: a var
folder with data and a promoted model (e.g. the one ``make run`` fills); without it a small
demo set-up is built in a temporary folder; ``--baseline`` profiles the frozen pre-check of
``bench/baseline`` instead (files named ``precheck-profile-baseline.*``). With ``py-spy`` (a
dev dependency) the warmed-up process is sampled from outside at ``--rate`` Hz and writes,
under ``bench/results/``:

- ``precheck-profile.folded``: collapsed stacks (``frame;frame;... count``, the input of
  ``flamegraph.pl`` and speedscope), only the samples taken while pre-checks ran;
- ``precheck-profile.svg``: the same as a flame graph (a second recording);
- ``precheck-profile.txt``: the share of samples under each step of a pre-check, and the
  functions with the most samples of their own.

Only the text summary is kept in the repository; the folded stacks and the flame graph (megabytes)
are made when the command runs.

Without py-spy, ``cProfile`` measures the same loop and the text file holds its table.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.common import RESULTS
from bench.precheck_driver import (
    PRECHECKS,
    client,
    example_body,
    post,
    reviewer_key,
    use_var,
    var_folder,
)

WARM_UP = 30
# The steps of a pre-check, by a function on the stack (first match from the leaf wins, so a
# step inside another is counted apart from it).
STEPS = (
    ("overlap search (registry and peers)", ("query_many",)),
    ("SHAP and variant scores", ("explain_first",)),
    ("red flags", ("flags_of",)),
    ("duplicate likelihood", ("likelihoods_of",)),
    ("features (other)", ("build_feature_columns",)),
    ("what-if variants", ("make_variants",)),
    ("proposal rows", ("proposal_rows",)),
    ("inputs captured", ("capture",)),
    ("result objects", ("screen_and_record", "screen_proposal", "build_result")),
    ("the benchmark's ASGI calls", ("post",)),
    ("store (proposal, result, audit)", ("save_screening", "store_screening")),
    ("catch up with other workers", ("sync",)),
    ("agency spelling", ("with_known_agency",)),
    ("answer (view, JSON)", ("_answer", "json_response", "screening_view", "answer")),
    ("key check and rate limit", ("get_principal",)),
    ("request body (JSON, validation)", ("request_body_to_args", "_get_body", "json")),
    ("database session", ("get_session", "close")),
    ("framework and middleware", ("",)),
)
# Leaf frames of a thread that waits (py-spy cannot always tell an idle thread on this
# machine): left out of the shares.
IDLE = ("Condition.wait", "EpollSelector.select", "BaseSelector.select", "Event.wait",
        "_worker", "Thread._wait_for_tstate_lock")
_FRAME = re.compile(r"^(?P<fn>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


async def _requests(n: int, key: str, baseline: bool) -> None:
    from bench.baseline.route import PATH as BASELINE
    from bench.baseline.route import mount
    from wastescreen.api.app import create_app

    body = example_body()
    path = BASELINE if baseline else PRECHECKS
    async with client(mount(create_app())) as c:
        for _ in range(WARM_UP):
            await post(c, path, body, key)
        # The outer process samples from here on (py-spy), or profiles what follows.
        print("ready", flush=True)
        go = sys.stdin.readline().strip()
        profiler = cProfile.Profile() if go == "cprofile" else None
        if profiler is not None:
            profiler.enable()
        for _ in range(n):
            await post(c, path, body, key)
        if profiler is not None:
            profiler.disable()
            _write_cprofile(profiler, baseline)


def _name_of(kind: str, baseline: bool) -> str:
    """The results file of one output (``precheck-profile.svg``, ``...-baseline.svg``)."""
    return f"precheck-profile{'-baseline' if baseline else ''}.{kind}"


def _write_cprofile(profiler: cProfile.Profile, baseline: bool) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / _name_of("txt", baseline)).write_text(
        "cProfile of pre-checks in process (py-spy was not found)\n" + out.getvalue(), "utf-8")


def _pyspy() -> str | None:
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


def _record(args: argparse.Namespace, fmt: str, out: Path, spy: str | None) -> None:
    """Run the pre-checks in a child process and sample it once it is warm."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.profile_precheck", "--inner", "--var", str(args.var),
         "--requests", str(args.requests), *(["--baseline"] if args.baseline else [])],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    for line in child.stdout:
        if line.strip() == "ready":
            break
    sampler = None
    if spy is not None:
        sampler = subprocess.Popen([spy, "record", "--pid", str(child.pid), "--rate",
                                    str(args.rate), "--function", "--format", fmt,
                                    "--output", str(out)],
                                   stdout=subprocess.DEVNULL)
    child.stdin.write("go\n" if spy is not None else "cprofile\n")
    child.stdin.flush()
    if child.wait() != 0:
        raise SystemExit("the profiled pre-checks failed")
    if sampler is not None:
        sampler.wait(timeout=120)


def _name(frame: str) -> str:
    match = _FRAME.match(frame)
    return match.group("fn") if match else frame


def _step(stack: list[str]) -> str:
    # py-spy names a method Class.method: the markers name the function.
    for frame in reversed([_name(f).rsplit(".", 1)[-1] for f in stack]):
        for label, markers in STEPS[:-1]:
            if frame in markers:
                return label
    return STEPS[-1][0]


def summarise(folded: Path) -> str:
    """The share of samples per step and the functions with most samples of their own."""
    steps: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = idle = 0
    for line in folded.read_text("utf-8").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text:
            continue
        count = int(count_text)
        stack = stack_text.split(";")
        if _name(stack[-1]) in IDLE:
            idle += count
            continue
        total += count
        steps[_step(stack)] += count
        own[stack[-1]] += count
    lines = [f"py-spy samples of pre-checks in process: {total} busy ({idle} of waiting "
             "threads left out)", "", "share  step"]
    lines += [f"{100 * c / total:5.1f}  {label}" for label, c in steps.most_common()]
    lines += ["", "share  function (samples of its own)"]
    lines += [f"{100 * c / total:5.1f}  {frame}" for frame, c in own.most_common(40)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="an existing var folder with data and model")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rate", type=int, default=1000, help="samples per second (py-spy)")
    parser.add_argument("--no-svg", action="store_true", help="only the collapsed stacks")
    parser.add_argument("--baseline", action="store_true",
                        help="profile the frozen pre-check of bench/baseline instead")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        use_var(args.var)
        with reviewer_key("bench-profile") as key:
            asyncio.run(_requests(args.requests, key, args.baseline))
        return
    with var_folder(args.var) as var:
        args.var = var
        spy = _pyspy()
        RESULTS.mkdir(parents=True, exist_ok=True)
        folded, text_file = (RESULTS / _name_of(k, args.baseline) for k in ("folded", "txt"))
        _record(args, "raw", folded, spy)
        if spy is None:
            print(f"py-spy not found: cProfile's table in {text_file}")
            return
        text = summarise(folded)
        text_file.write_text(text, "utf-8")
        print(text)
        svg = RESULTS / _name_of("svg", args.baseline)
        if not args.no_svg:
            _record(args, "flamegraph", svg, spy)
        print(f"written: {folded}, {text_file}" + ("" if args.no_svg else f", {svg}"))


if __name__ == "__main__":
    main()
