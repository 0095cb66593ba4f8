"""The installer says clearly what to do when Python 3.10 for the Rasa engine is missing."""

from __future__ import annotations

import os
import subprocess

import pytest

from api.config import ROOT

SCRIPT = ROOT / "scripts" / "find-python310.sh"


def test_finds_a_python_310() -> None:
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = result.stdout.strip()
    version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30)
    assert version.stdout.startswith("Python 3.10")


def test_missing_python_310_gets_instructions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYENV_ROOT": str(tmp_path),
        "PORTABLE_PYTHON": "0",
    }
    if os.path.exists("/usr/bin/python3.10"):
        pytest.skip("this machine has a system Python 3.10: nothing is missing")
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr
    assert "PYTHON310=" in result.stderr
