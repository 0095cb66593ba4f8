"""A fresh machine: `make test` checks what it needs first. As root it installs chromium with
apt-get; otherwise it stops within a second with the exact command to run."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from api.config import ROOT

SCRIPT = ROOT / "scripts" / "prereqs.sh"
TOOLS = ["bash", "env", "dirname", "df", "awk", "sed", "timeout", "ls", "tail", "make", "cat"]


def machine(tmp_path: Path, *, uid: int, apt_get: str | None) -> dict[str, str]:
    """A PATH with the system's basic tools, no chromium, `id -u` answering `uid`, and an
    apt-get stand-in (or none) that logs its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    stub(bin_dir / "id", f'[ "$1" = -u ] && echo {uid}')
    if apt_get is not None:
        stub(bin_dir / "apt-get", f'echo "$*" >> {tmp_path}/apt.log\n{apt_get}')
    return {"PATH": str(bin_dir), "HOME": str(tmp_path)}


def stub(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def run(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return result, time.monotonic() - started


def test_make_test_stops_in_the_first_second_without_chromium(tmp_path: Path) -> None:
    env = machine(tmp_path, uid=1000, apt_get="exit 100")
    result, elapsed = run(["make", "test"], env)
    assert result.returncode != 0
    assert elapsed < 1.0
    assert "Run: sudo apt-get update && sudo apt-get install -y chromium" in result.stderr
    assert "stopped before running anything" in result.stderr
    assert "ruff" not in result.stdout + result.stderr  # nothing of the suite started
    assert not (tmp_path / "apt.log").exists()  # not root: it installs nothing


def test_without_apt_get_it_says_what_is_needed(tmp_path: Path) -> None:
    result, elapsed = run([str(SCRIPT)], machine(tmp_path, uid=1000, apt_get=None))
    assert result.returncode == 1 and elapsed < 1.0
    assert "Chromium as `chromium` on PATH" in result.stderr


def test_as_root_it_installs_chromium_from_debian(tmp_path: Path) -> None:
    chromium = tmp_path / "bin" / "chromium"
    install = f'[ "$1" = install ] && echo "#!/bin/bash" > {chromium} && chmod +x {chromium}'
    install += "\nexit 0"
    env = machine(tmp_path, uid=0, apt_get=install)
    result, _ = run([str(SCRIPT)], env)
    assert result.returncode == 0, result.stderr
    assert "installing Debian's chromium" in result.stdout
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls == ["update -qq", "install -y -qq chromium"]


def test_as_root_a_failed_install_stops_with_the_command(tmp_path: Path) -> None:
    result, _ = run([str(SCRIPT)], machine(tmp_path, uid=0, apt_get="exit 100"))
    assert result.returncode == 1
    assert "Run: apt-get update && apt-get install -y chromium" in result.stderr


def test_an_unreachable_postgresql_stops_it_too(tmp_path: Path) -> None:
    env = machine(tmp_path, uid=1000, apt_get=None)
    stub(Path(env["PATH"]) / "chromium", "exit 0")
    env["TEST_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:9/test"  # discard port: closed
    result, elapsed = run([str(SCRIPT)], env)
    assert result.returncode == 1 and elapsed < 3.0
    assert "PostgreSQL on 127.0.0.1:9, which does not answer" in result.stderr
    env["TEST_DATABASE_URL"] = os.environ.get(
        "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
    ).split("?")[0]
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:
        result, _ = run([str(SCRIPT)], env)
        assert result.returncode == 0, result.stderr
