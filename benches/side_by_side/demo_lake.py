"""The demo lakes of the suite, written by ``tarn demo`` once per scale and cached."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

# small is `tarn demo`'s default (~320 MB); medium has 10× the clients, so ~10× the rows
# (~2.6 GB, extrapolated from lakes of 20,000 and 40,000 clients).
SCALES = {
    "small": ["--clients", "60000", "--days", "42"],
    "medium": ["--clients", "600000", "--days", "42"],
}


def ensure(folder: Path, scale: str, tarn: Path) -> Path:
    """Write the lake of ``scale`` into ``folder`` unless it is there already."""
    if folder.exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    print(f"writing the {scale} demo lake to {folder}", file=sys.stderr, flush=True)
    subprocess.run([str(tarn), "demo", "--dir", str(partial), *SCALES[scale], "--seed", "1"], check=True)
    partial.rename(folder)
    return folder


def size_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)
