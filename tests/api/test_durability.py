"""A kill -9 of the server during a stream of submissions loses none that were acknowledged."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import EXAMPLES
from tests.demo_service import AGENCY_A, DemoService


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: DemoService, port: int, log: Path) -> subprocess.Popen[bytes]:
    environ = {**os.environ, "WASTESCREEN_VAR_DIR": str(env.settings.var_dir),
               "WASTESCREEN_RATE_LIMIT_PER_MINUTE": "100000"}
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "wastescreen.api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)], env=environ, stdout=out,
            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"server did not become ready: {log.read_text()[-2000:]}")


def test_acknowledged_submissions_survive_kill_9(service: DemoService,
                                                 tmp_path: Path) -> None:
    port = _free_port()
    proc = _start(service, port, tmp_path / "server1.log")
    body = json.loads((EXAMPLES / "proposal.json").read_text("utf-8"))
    body["agency"] = AGENCY_A
    headers = service.auth("agency_a")
    acknowledged: list[str] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for i in range(200):
                body["title"] = f"Đề xuất bền vững {i}"
                try:
                    r = http.post("/v1/screenings", json=body, headers=headers)
                except httpx.HTTPError:
                    break  # the server is gone: whatever was not answered was not promised
                if r.status_code == 201:
                    acknowledged.append(r.json()["id"])
                if len(acknowledged) == 15:
                    os.kill(proc.pid, signal.SIGKILL)  # mid-stream, no shutdown at all
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert len(acknowledged) >= 15
    proc = _start(service, port, tmp_path / "server2.log")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for sid in acknowledged:
                r = http.get(f"/v1/screenings/{sid}", headers=service.auth("reviewer"))
                assert r.status_code == 200, sid
                assert r.json()["result"]["proposal_title"].startswith("Đề xuất bền vững")
            audit = http.get("/v1/audit?limit=1", headers=service.auth("auditor")).json()
            assert audit["chain_intact"] is True
    finally:
        proc.terminate()
        proc.wait(timeout=10)
