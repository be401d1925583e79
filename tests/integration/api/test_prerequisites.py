"""`make run` on a machine without npm says what is missing and how to get it, before installing
anything; with everything present the check passes."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MAKE = shutil.which("make") or "/usr/bin/make"
SH = shutil.which("sh") or "/bin/sh"


def _path_without(tmp_path: Path, *left_out: str) -> str:
    """A PATH holding every command of this one except ``left_out`` (a copy of the machine without)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            target = Path(folder) / name
            if name in left_out or (bin_dir / name).exists() or not os.access(target, os.X_OK):
                continue
            (bin_dir / name).symlink_to(target)
    return str(bin_dir)


def test_make_run_without_npm_says_what_is_missing_and_how_to_get_it(tmp_path):
    env = {**os.environ, "PATH": _path_without(tmp_path, "npm", "npx")}
    done = subprocess.run(
        [MAKE, "--no-print-directory", "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert (
        "missing: npm" in done.stdout
        and "apt-get install npm" in done.stdout
        and "brew install node" in done.stdout
    )
    assert "make run stopped" in done.stdout
    assert "Python" not in done.stdout.split("missing: npm")[0]  # only what is missing is named


def test_the_check_passes_where_everything_is_present():
    done = subprocess.run(
        [SH, "scripts/prerequisites.sh", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout


def test_an_old_python_is_named_with_its_version(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text(
        "#!/bin/sh\n"  # an interpreter that fails the version check and reports 3.9.2
        "if [ \"$2\" = 'import sys; sys.exit(sys.version_info < (3, 11))' ]; then exit 1; fi\necho 3.9.2\n"
    )
    old.chmod(0o755)
    done = subprocess.run(
        [SH, "scripts/prerequisites.sh", "run"],
        cwd=ROOT,
        env={**os.environ, "PYTHON": str(old)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "Python 3.11 or newer (found 3.9.2)" in done.stdout
