"""Fixtures: a small demo lake and `tarn serve` processes on 127.0.0.1 (plaintext without
authentication, with authentication, and TLS with authentication). Servers stop when the
session ends (they exit when their stdin closes)."""

import base64
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "analyst"
PASSWORD = "correct horse"
TOKEN = "python-static-token"


def tarn_binary() -> str:
    if os.environ.get("TARN_BIN"):
        return os.environ["TARN_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/tarn/target"))
    return str(Path(target) / "debug" / "tarn")


@dataclass
class Server:
    port: int
    mode: str
    dir: Path
    proc: subprocess.Popen

    @property
    def uri(self) -> str:
        scheme = "grpc+tls" if self.mode == "tls" else "grpc"
        host = "localhost" if self.mode == "tls" else "127.0.0.1"
        return f"{scheme}://{host}:{self.port}"

    @property
    def ca(self) -> str:
        return (self.dir / "ca.pem").read_text()

    def log(self) -> str:
        return (self.dir / "server.log").read_text()


def _certificates(d: Path) -> None:
    def run(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tarn test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")


@pytest.fixture(scope="session")
def lake() -> Path:
    d = Path(tempfile.mkdtemp(prefix="tarn-py-lake-"))
    subprocess.run([tarn_binary(), "demo", "--dir", str(d), "--clients", "400", "--days", "14", "--seed", "3"], check=True, capture_output=True)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _start(lake: Path, mode: str) -> Server:
    d = Path(tempfile.mkdtemp(prefix=f"tarn-py-{mode}-"))
    args = [tarn_binary(), "serve", "--lake", str(lake), "--schema", "telemetry", "--addr", "127.0.0.1:0", "--stop-on-stdin-eof"]
    if mode != "open":
        hashed = subprocess.run([tarn_binary(), "hash-password"], input=PASSWORD.encode(), capture_output=True, check=True).stdout.decode().strip()
        (d / "auth.toml").write_text(f'[[users]]\nname = "{USER}"\npassword_hash = "{hashed}"\n')
        args += ["--auth-file", str(d / "auth.toml"), "--token", TOKEN]
    if mode == "tls":
        _certificates(d)
        args += ["--tls-cert", str(d / "server.pem"), "--tls-key", str(d / "server.key")]
    log = open(d / "server.log", "wb")
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
    first = proc.stdout.readline().decode()
    if "listening on" not in first:
        raise RuntimeError(f"server did not start: {first!r}\n{(d / 'server.log').read_text()}")
    port = int(first.strip().rsplit(":", 1)[1])
    return Server(port=port, mode=mode, dir=d, proc=proc)


def _stop(s: Server) -> None:
    s.proc.stdin.close()
    try:
        s.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        s.proc.kill()
    shutil.rmtree(s.dir, ignore_errors=True)


@pytest.fixture(scope="session", params=["open", "auth", "tls"])
def server(request, lake) -> Server:
    s = _start(lake, request.param)
    yield s
    _stop(s)


@pytest.fixture(scope="session")
def open_server(lake) -> Server:
    s = _start(lake, "open")
    yield s
    _stop(s)


@pytest.fixture(scope="session")
def auth_server(lake) -> Server:
    s = _start(lake, "auth")
    yield s
    _stop(s)


def basic_header() -> str:
    return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
