"""Where numba keeps fastmap's compiled kernels.

numba validates a cached function against its own source file only, not against the compiled
functions it calls from other modules: after an edit of ``fastmap/numerics.py`` or
``fastmap/loops.py`` (a ``git pull``, an editable install) every model would go on running machine
code compiled from the old helpers, silently. Unless the user chose ``NUMBA_CACHE_DIR``, fastmap
therefore caches under a directory named after a fingerprint of all its sources
(``$XDG_CACHE_HOME/fastmap/numba/<fingerprint>``, default ``~/.cache``): any change compiles
afresh, while an unchanged installation (every dask worker on a machine too) compiles once.
"""

import hashlib
import os
from pathlib import Path

import numba


def source_fingerprint() -> str:
    """Hash of every Python source of the package (names and contents)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure_cache_dir() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    numba.config.CACHE_DIR = str(base / "fastmap" / "numba" / source_fingerprint())
