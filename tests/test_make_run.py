"""`make run` takes a port (issue 26.10): `make run PORT=8001` serves there and says so; 8000 by default."""
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # starts the development server


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_default_port_is_8000():
    planned = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "Mở http://127.0.0.1:8000/" in planned and "runserver 127.0.0.1:8000" in planned


def test_make_serve_on_another_port_answers_there_and_names_it(tmp_path):
    port = free_port()
    # run as from a shell: not as a sub-make of `make test` (which would print "make[1]: Entering directory" first)
    env = {name: value for name, value in os.environ.items()
           if name not in ("DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"  # not the project's db.sqlite3
    server = subprocess.Popen(["make", "serve", f"PORT={port}"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert server.stdout.readline().strip() == f"Mở http://127.0.0.1:{port}/ (dừng: Ctrl+C)"
        deadline, answer = time.monotonic() + 90, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=5)
            except OSError:
                time.sleep(0.5)
        assert answer is not None and answer.status == 200, "nothing answered on the port asked for"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
