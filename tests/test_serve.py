"""``make run`` serves the notebook folder and ``marimo run`` serves the tour.

Both start a real marimo server on a free local port, poll it with urllib until
it answers HTTP 200 (at most ~60 s) and then stop the whole process group they
started. Marked ``notebooks`` so they run in ``make notebooks``, not ``make unit``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60.0

pytestmark = pytest.mark.notebooks


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_page(url: str, process: subprocess.Popen) -> tuple[int, str]:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"server exited with code {process.returncode} before answering:\n{output[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last_error = repr(exc)
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {STARTUP_TIMEOUT:.0f}s (last error: {last_error})")


def _serve(command: list[str], url: str) -> tuple[int, str]:
    env = dict(os.environ, MARIMO_SKIP_UPDATE_CHECK="1", MPLBACKEND="Agg")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        return _wait_for_page(url, process)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the group this test started (make + marimo)
            process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_make_run_serves_the_chapter_list():
    port = _free_port()
    # -o .venv/.installed: never reinstall dependencies from inside a test
    command = ["make", "-o", ".venv/.installed", "run", f"PORT={port}", "MARIMO_FLAGS=--no-token"]
    status, body = _serve(command, f"http://127.0.0.1:{port}/")
    assert status == 200
    assert "<title>marimo" in body  # the editor page that lists the notebooks folder


def test_marimo_run_serves_the_tour():
    port = _free_port()
    command = [
        str(BIN / "marimo"), "run", "notebooks/00_tour.py", "--headless", "--host", "127.0.0.1",
        "--port", str(port), "--no-token",
    ]
    status, body = _serve(command, f"http://127.0.0.1:{port}/")
    assert status == 200
    assert "Tour of the recsys workbench" in body  # app_title of notebooks/00_tour.py
