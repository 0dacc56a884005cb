"""The run says which browser tests were skipped and why even with -q (tests/conftest.py, issue 26.10)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = "from tests.conftest import pytest_terminal_summary  # the suite's own hook\n"
TESTS = '''
import pytest


@pytest.mark.browser
def test_in_a_browser():
    pytest.skip("chromium and chromedriver are not installed: end-to-end browser tests not run")


@pytest.mark.browser
def test_in_another_browser():
    pytest.skip("chromium and chromedriver are not installed: end-to-end browser tests not run")


def test_not_in_a_browser():
    pytest.skip("nothing to do with a browser")


def test_that_runs():
    assert True
'''


def run_quietly(folder, *options):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT),
                           "-q", "-p", "no:cacheprovider", *options, str(folder)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


pytestmark = pytest.mark.slow  # a pytest run of its own each


@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["one process", "xdist"])
def test_quiet_run_names_the_skipped_browser_tests_and_why(tmp_path, options):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_sample_browser.py").write_text(TESTS)
    result = run_quietly(tmp_path, *options)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "2 browser tests skipped" in out
    assert ("2 skipped because: chromium and chromedriver are not installed: end-to-end browser tests not run"
            in out)
    assert "test_sample_browser.py::test_in_a_browser" in out and "::test_in_another_browser" in out
    assert "test_not_in_a_browser" not in out  # only browser tests are listed


def test_nothing_is_said_when_no_browser_test_was_skipped(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_sample.py").write_text("def test_that_runs():\n    assert True\n")
    result = run_quietly(tmp_path)
    assert result.returncode == 0 and "browser tests skipped" not in result.stdout, result.stdout
