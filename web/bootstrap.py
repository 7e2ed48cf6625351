"""Set-up from a fresh clone with nothing but Python 3.11+: `python3 web/bootstrap.py demo|test [args]`.

Creates .venv, installs the project with its test extras (again only when pyproject.toml changes),
then runs the demo or the test suite inside it. Standard library only, since nothing is installed yet.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("HOTLINE_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs under whatever python3 the user has
        sys.exit(f"需要 Python 3.11 或更高版本，当前是 {sys.version.split()[0]}")
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == _stamp():
        return
    if not (BIN / "python").exists():
        print(f"创建虚拟环境 {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    print("安装依赖（首次约需几分钟）...", flush=True)
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    marker.write_text(_stamp())


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test", "setup"):
        sys.exit("用法: python3 web/bootstrap.py demo | test [pytest 参数] | setup")
    ensure_environment()
    command, rest = sys.argv[1], sys.argv[2:]
    os.chdir(ROOT)
    if command == "demo":
        args = [str(BIN / "hotline12345"), "demo", *rest]
    elif command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    else:
        return
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
