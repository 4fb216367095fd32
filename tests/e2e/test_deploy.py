"""The Dockerfile's install steps, run as they are written in a fresh virtualenv.

No Docker daemon is needed: the ``RUN`` lines marked ``# step:`` are the commands, the ``COPY``
lines say which files they see. Installing from the package index takes a minute or two, so the
test runs when ``GIGBOT_TEST_INSTALL`` is set (CI sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def steps(dockerfile: str) -> list[str]:
    """The commands of the ``RUN`` lines that follow a ``# step:`` comment."""
    found, marked = [], False
    for line in dockerfile.splitlines():
        if line.startswith("# step:"):
            marked = True
        elif marked and line.startswith("RUN "):
            found.append(line.removeprefix("RUN ").strip())
            marked = False
    return found


def test_the_dockerfile_has_its_install_steps_marked() -> None:
    commands = steps((ROOT / "Dockerfile").read_text(encoding="utf-8"))

    assert commands[0] == "python -m pip install --no-cache-dir ."
    assert any(c.startswith("gigbot --help") for c in commands)


@pytest.mark.skipif(not os.environ.get("GIGBOT_TEST_INSTALL"),
                    reason="GIGBOT_TEST_INSTALL is not set (installs from the package index)")
def test_the_dockerfile_steps_install_a_working_gigbot(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "gigbot", src / "gigbot",
                    ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIGBOT_")},
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "GIGBOT_DATA_DIR": str(tmp_path / "data"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)

    for command in steps((ROOT / "Dockerfile").read_text(encoding="utf-8")):
        done = subprocess.run(command, shell=True, cwd=src, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, (command, done.stderr[-2000:])
    migrated = subprocess.run([str(venv / "bin" / "gigbot"), "db", "migrate"], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=120)

    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "data" / "gigbot.sqlite3").is_file()
