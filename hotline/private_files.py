"""Owner-only files: the var directory, the SQLite database and the generated secret key.

Why: var/hotline.db holds every citizen's name, phone and address, and var/secret_key signs staff tokens; with the
usual umask (022) both were readable by every account on the host. A directory is made 0700 when we create it; an
existing one is left as it is (HOTLINE_VAR_DIR may point at a directory that others need). The database file is
made 0600, and tightened to 0600 if we own it and it was readable by others (SQLite gives its -wal and -shm files
the database file's mode).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    if not path.exists():
        if not path.parent.exists():
            private_dir(path.parent)  # var/redis made before var: var is made 0700 as well
        path.mkdir(mode=DIR_MODE, exist_ok=True)
        path.chmod(DIR_MODE)  # mkdir's mode passes through the umask; the directory gets exactly 0700
    return path


def private_file(path: Path) -> Path:
    """Create the file empty with 0600 if missing (before SQLite creates it with the umask's mode)."""
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    with contextlib.suppress(OSError):  # not ours, or a read-only mount: nothing we may change
        held = path.stat()
        if held.st_uid == os.getuid() and stat.S_IMODE(held.st_mode) & 0o077:
            path.chmod(FILE_MODE)
    return path
