"""Tests of real Redis skip where none answers, and fail in CI (REQUIRE_REDIS=1), where one must."""
import os
import socket

import pytest


def redis_or_skip(what):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        message = f"Redis does not answer on 127.0.0.1:6379: {what} did not run"
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
