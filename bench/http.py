"""HTTP throughput and latency of ``POST /v1/prechecks`` with 16 concurrent clients on loopback.

Beside it, in the same run: a trivial endpoint of the same app (``GET /health``: the
framework's ceiling), a naive implementation (one-row pandas frame and a
``shap.TreeExplainer`` built per request) and the pre-check as it was before issue 17 (the
frozen baseline of ``bench/baseline``, mounted on the same app) and the service with every
request screened as soon as it arrives (no ``api.limits.ScreeningSlots``: more slots than the
thread pool has threads). Each configuration runs in its own uvicorn process against the same
database and model, for a fixed time. With wrk, how its 16 connections split between the 2
workers is reported too (the kernel gives each connection to whichever worker accepts first;
the busier worker sets the p99).

Usage: ``python -m bench.http [--var DIR] [--seconds 10]``; without ``--var`` a small demo
set-up (60 labs, 600 programs, 2,500 past proposals) is built in a temporary folder. The load
comes from ``wrk`` when it is installed (``apt-get install wrk``), else from an asyncio httpx
client in this process, which itself needs much of the CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import ROOT, print_table, write_results

CLIENTS = 16
TARGET_PER_S = 250  # issue 17: pre-checks per second with 2 workers
TARGET_P99_MS = 150  # issue 17: p99 at 16 clients, 2 workers


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: str, workers: int, var: Path, port: int,
           extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # The worker count as `wastescreen serve --workers` gives it: the workers share the cores.
    env = {**os.environ, "WASTESCREEN_VAR_DIR": str(var), "WASTESCREEN_WORKERS": str(workers),
           "WASTESCREEN_RATE_LIMIT_PER_MINUTE": "10000000", **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1", "--port",
         str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{app} did not become ready")


async def _load(url: str, method: str, body: Any, headers: dict[str, str],
                seconds: float) -> tuple[int, list[float]]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < stop:
                start = time.perf_counter()
                r = await client.request(method, url, json=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                errors += r.status_code >= 400
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return errors, latencies


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _load_wrk(url: str, method: str, body: Any, headers: dict[str, str], seconds: float,
              tmp: Path) -> dict[str, Any]:
    """wrk (C, two threads) as the load generator: it leaves the CPU to the server."""
    script = tmp / "wrk.lua"
    lines = [f"wrk.method = {json.dumps(method)}"]
    if body is not None:
        # A Lua long bracket takes the JSON as it is (no escape sequences to get wrong).
        lines.append(f"wrk.body = [==[{json.dumps(body, ensure_ascii=False)}]==]")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n", "utf-8")
    wrk = subprocess.Popen(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds:.0f}s", "--latency", "-s", str(script), url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(min(2.0, seconds / 2))  # the connections are open by then
    split = _connections_per_worker(int(url.split(":")[2].split("/")[0]), wrk.pid)
    out, err = wrk.communicate()
    if wrk.returncode != 0:
        raise RuntimeError(f"wrk failed: {err}")
    if "Non-2xx" in out:
        raise RuntimeError(f"error responses from {url}:\n{out}")
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in pct or "99" not in pct:
        raise RuntimeError(f"no latency percentiles in wrk's output:\n{out}")
    return {"per_s": per_s, "p50_ms": _wrk_ms(pct["50"]), "p99_ms": _wrk_ms(pct["99"]),
            "connections_per_worker": split}


def _connections_per_worker(port: int, client_pid: int) -> list[int]:
    """How many of the load's connections each server process holds, most first: the kernel
    hands each new connection to whichever worker accepts first, and a worker holding more of
    them answers each more slowly (the p99 follows the busiest). Empty when the processes
    cannot be seen."""
    import psutil  # type: ignore[import-untyped]  # with Dask's distributed; no stubs

    held: dict[int, int] = {}
    for conn in psutil.net_connections(kind="tcp"):
        if (conn.status == psutil.CONN_ESTABLISHED and conn.laddr and conn.laddr.port == port
                and conn.pid is not None and conn.pid != client_pid):
            held[conn.pid] = held.get(conn.pid, 0) + 1
    return sorted(held.values(), reverse=True)


def _measure(app: str, workers: int, var: Path, path: str, method: str, body: Any,
             headers: dict[str, str], seconds: float,
             extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    port = _port()
    proc = _serve(app, workers, var, port, extra_env)
    try:
        url = f"http://127.0.0.1:{port}{path}"
        asyncio.run(_load(url, method, body, headers, 2.0))  # warm-up: caches, connections
        if shutil.which("wrk"):
            with tempfile.TemporaryDirectory() as tmp:
                return _load_wrk(url, method, body, headers, seconds, Path(tmp))
        errors, lat = asyncio.run(_load(url, method, body, headers, seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if errors:
        raise RuntimeError(f"{errors} error responses from {path}")
    lat_ms = sorted(x * 1000 for x in lat)
    return {"per_s": len(lat) / seconds, "p50_ms": statistics.median(lat_ms),
            "p99_ms": lat_ms[min(len(lat_ms) - 1, int(0.99 * len(lat_ms)))]}


def _split(run: dict[str, Any]) -> str:
    return " / ".join(str(n) for n in run.get("connections_per_worker", [])) or "—"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var", type=Path, help="an existing var folder with data and model")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    body = json.loads((ROOT / "examples" / "proposal.json").read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        from wastescreen.core.settings import Settings
        from wastescreen.storage.api_keys import Role, create_key
        from wastescreen.storage.database import open_database

        if args.var:
            var, setup = args.var, f"existing {args.var}"
        else:
            from tests.demo_service import build_demo_service

            var, setup = Path(tmp) / "var", "small demo set-up"
            build_demo_service(var)
        db = open_database(Settings(var_dir=var))
        with db.sessions() as session:
            key, _ = create_key(session, Role.REVIEWER, label="bench-http")
        db.dispose()
        auth = {"Authorization": f"Bearer {key}"}
        app, naive = "wastescreen.api.app:create_app", "bench.naive_app:create_naive_app"
        s = args.seconds
        one = _measure(app, 1, var, "/v1/prechecks", "POST", body, auth, s)
        two = _measure(app, 2, var, "/v1/prechecks", "POST", body, auth, s)
        # Every request screened as soon as it arrives (more slots than the thread pool has
        # threads), as before api.limits.ScreeningSlots.
        unslotted = _measure(app, 2, var, "/v1/prechecks", "POST", body, auth, s,
                             {"WASTESCREEN_SCREENING_CONCURRENCY": "64"})
        trivial = _measure(app, 2, var, "/health", "GET", None, {}, s)
        slow = _measure(naive, 2, var, "/naive/prechecks", "POST", body, auth, s)
        before = _measure("bench.baseline.route:create_baseline_app", 2, var,
                          "/v1/baseline/prechecks", "POST", body, auth, s)
    load = os.getloadavg()
    figures = {"screenings_per_s_1w": one["per_s"], "screenings_per_s_2w": two["per_s"],
               "p50_ms_2w": two["p50_ms"], "p99_ms_2w": two["p99_ms"],
               "p50_ms_1w": one["p50_ms"], "p99_ms_1w": one["p99_ms"],
               "trivial_per_s_2w": trivial["per_s"], "naive_per_s_2w": slow["per_s"],
               "naive_p50_ms_2w": slow["p50_ms"], "naive_p99_ms_2w": slow["p99_ms"],
               "baseline_per_s_2w": before["per_s"], "baseline_p50_ms_2w": before["p50_ms"],
               "baseline_p99_ms_2w": before["p99_ms"],
               "unslotted_per_s_2w": unslotted["per_s"], "unslotted_p50_ms_2w":
               unslotted["p50_ms"], "unslotted_p99_ms_2w": unslotted["p99_ms"],
               "connections_per_worker_2w": two.get("connections_per_worker", []),
               "baseline_connections_per_worker_2w": before.get("connections_per_worker", []),
               "clients": CLIENTS, "seconds": s,
               "setup": setup, "load_generator": "wrk" if shutil.which("wrk") else "httpx",
               "load_average_1m_5m_after": [round(load[0], 2), round(load[1], 2)],
               "targets": {"screenings_per_s_2w": TARGET_PER_S, "p99_ms_2w": TARGET_P99_MS}}
    write_results("http", figures)
    f = "{:,.0f}".format
    print_table(f"POST /v1/prechecks, {CLIENTS} clients, {s:.0f} s each ({setup}); load "
                f"average after {load[0]:.2f} / {load[1]:.2f}", [
        ("screenings/s, 1 worker", "—", f(one["per_s"]), ""),
        ("screenings/s, 2 workers", f"before issue 17 {f(before['per_s'])}; naive "
         f"{f(slow['per_s'])}; no slots {f(unslotted['per_s'])}", f(two["per_s"]),
         f"≥ {TARGET_PER_S}"),
        ("p50 / p99 ms, 2 workers", f"before issue 17 {before['p50_ms']:.0f} / "
         f"{before['p99_ms']:.0f}; naive {slow['p50_ms']:.0f} / {slow['p99_ms']:.0f}; no slots "
         f"{unslotted['p50_ms']:.0f} / {unslotted['p99_ms']:.0f}",
         f"{two['p50_ms']:.0f} / {two['p99_ms']:.0f}", f"p99 ≤ {TARGET_P99_MS}"),
        ("the 16 connections per worker, 2 workers", f"before issue 17 {_split(before)}; no "
         f"slots {_split(unslotted)}", _split(two), ""),
        ("GET /health per s, 2 workers (ceiling)", f(trivial["per_s"]), "", ""),
    ])


if __name__ == "__main__":
    main()
