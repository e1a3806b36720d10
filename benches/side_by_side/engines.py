"""How each engine's worker is started. Every worker speaks the protocol of ``worker_loop``:

* ``tarn``: the engine in process, ``tarn batch --lake LAKE``;
* ``tarn-flight``: ``tarn serve`` on 127.0.0.1, queried by ``flight_worker`` over ADBC;
* ``duckdb`` and ``datafusion``: ``duckdb_worker`` and ``datafusion_worker``.
"""

import selectors
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from side_by_side.worker import Worker

ENGINES = ("tarn", "tarn-flight", "duckdb", "datafusion")
REFERENCE = "duckdb"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_PYTHON_WORKERS = {"duckdb": "duckdb_worker", "datafusion": "datafusion_worker"}
_SERVER_START_S = 120


class Unavailable(Exception):
    """The engine cannot run here; the message says why."""


def start(engine: str, lake: Path, tarn: Path, logs: Path) -> Worker:
    """A running worker of ``engine`` over ``lake``; its stderr goes to ``logs/<engine>.log``.

    Raises ``Unavailable`` when the engine cannot be started."""
    log = logs / f"{engine}.log"
    if engine in _PYTHON_WORKERS:
        return Worker(_python_worker(_PYTHON_WORKERS[engine], str(lake)), log, cwd=_PACKAGE_ROOT)
    if engine == "tarn":
        probe = subprocess.run([str(tarn), "batch", "--help"], check=False, capture_output=True)
        if probe.returncode != 0:
            raise Unavailable(f"{tarn} has no `batch` subcommand")
        return Worker([str(tarn), "batch", "--lake", str(lake)], log)
    if engine == "tarn-flight":
        server, uri = _serve(tarn, lake, logs / "tarn-serve.log")
        return Worker(_python_worker("flight_worker", uri), log, server=server, cwd=_PACKAGE_ROOT)
    raise Unavailable(f"unknown engine {engine!r}")


def _python_worker(module: str, argument: str) -> list[str]:
    # Run from _PACKAGE_ROOT (see `start`), where `python -m` finds this package.
    return [sys.executable, "-m", f"side_by_side.{module}", argument]


def _serve(tarn: Path, lake: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``tarn serve`` on a free port; the server and its grpc:// URI once it listens."""
    if not shutil.which(str(tarn)):
        raise Unavailable(f"no tarn binary at {tarn}")
    argv = [str(tarn), "serve", "--lake", str(lake), "--addr", "127.0.0.1:0", "--stop-on-stdin-eof"]
    with log.open("ab") as err:
        server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
    assert server.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(server.stdout, selectors.EVENT_READ)
        first = server.stdout.readline().decode() if sel.select(_SERVER_START_S) else ""
    if "listening on" not in first:
        server.kill()
        server.wait()
        raise Unavailable(f"tarn serve did not start ({first.strip()!r}); see {log}")
    # Keep reading stdout so that a chatty server never blocks on a full pipe.
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server, "grpc://127.0.0.1:" + first.strip().rsplit(":", 1)[1]
