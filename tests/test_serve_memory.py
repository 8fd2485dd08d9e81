"""What `serve` does to stay small (issue 15): glibc's heap tuned, unused clients not imported."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from bot.cli.serve import tune_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_serve_tunes_glibcs_heap() -> None:
    assert tune_malloc() is True


def test_the_redis_client_is_imported_only_with_redis_url() -> None:
    code = "import sys, bot.bootstrap; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
