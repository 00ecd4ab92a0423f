"""The built wheel works outside the checkout: it finds its styles and sample data and builds the demo."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_installed_wheel_finds_styles_and_sample_data(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db*")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("src", "styles", "sample_data"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)],
        tmp_path,
        clean_env,
    )
    wheel = next(dist.glob("collectdesk-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("collectdesk/styles/") and n.endswith(".tcss") for n in names)
    assert "collectdesk/sample_data/customers.csv" in names
    assert "collectdesk/templates/email/overdue_reminder.txt" in names
    assert "collectdesk/templates/letter/final_demand.txt" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, clean_env)
    python = venv / "bin" / "python"
    scratch_site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, clean_env
        ).stdout.strip()
    )
    # The scratch venv borrows this venv's dependencies, so nothing is downloaded.
    (scratch_site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        tmp_path,
        clean_env,
    )

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    found = _run(
        [
            str(python),
            "-c",
            "from collectdesk.resources import styles_dir, "
            "sample_data_dir; print(styles_dir()); print(sample_data_dir())",
        ],
        outside,
        clean_env,
    ).stdout.split()
    styles, samples = Path(found[0]), Path(found[1])
    assert styles.is_relative_to(scratch_site) and samples.is_relative_to(scratch_site)
    assert list(styles.glob("*.tcss"))

    data = tmp_path / "data"
    env = {**clean_env, "COLLECTDESK_DATA_DIR": str(data), "COLLECTDESK_CONFIG_DIR": str(tmp_path / "config")}
    result = _run(
        [str(venv / "bin" / "collectdesk"), "--user", "owner", "demo", "--no-open", "--rebuild"], outside, env
    )
    assert result.stdout.strip() == str(data / "demo.db")
    with sqlite3.connect(data / "demo.db") as connection:
        customers = connection.execute("SELECT count(*) FROM customers").fetchone()[0]
        role = connection.execute("SELECT role FROM users WHERE name = 'owner'").fetchone()[0]
    assert customers == 150 and role == "supervisor"
    assert not (data / "collectdesk.db").exists()
