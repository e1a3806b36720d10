"""A worker subprocess seen from the harness: send one statement, wait for its answer with a
deadline, and track the peak resident memory (VmHWM) of the processes that do the work."""

import json
import os
import selectors
import subprocess
from pathlib import Path
from typing import Any


def vm_hwm_bytes(pid: int) -> int:
    """Peak resident set size of a live process, 0 once it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Close stdin (the signal to exit for workers and `tarn serve --stop-on-stdin-eof`), then
    kill the process if it lingers."""
    if proc.stdin and not proc.stdin.closed:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Worker:
    """One running worker, and the server it talks to if any. The engine's peak memory is the
    server's when there is one (the worker is then only a client), else the worker's."""

    def __init__(
        self, argv: list[str], stderr: Path, server: subprocess.Popen[bytes] | None = None, cwd: Path | None = None
    ) -> None:
        self.stderr_path = stderr
        self._stderr = stderr.open("ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, cwd=cwd)
        self.server = server
        self.memory_pids = [server.pid] if server else [self.proc.pid]
        self.peak_bytes = 0
        self._buffer = b""

    def ask(self, sql: str, result: bool, timeout_s: float) -> dict[str, Any]:
        """Send one statement; its answer, or ``{"ok": false, ...}`` when the worker died or
        ran past ``timeout_s`` (then it is killed and must be replaced)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((json.dumps({"sql": sql, "result": result}) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return self._died()
        line = self._read_line(timeout_s)
        self.peak_bytes = max(self.peak_bytes, sum(vm_hwm_bytes(pid) for pid in self.memory_pids))
        if line is None:
            if self.proc.poll() is None:
                self.kill()
                return {"ok": False, "error": f"timed out after {timeout_s:.0f} s"}
            return self._died()
        try:
            answer: dict[str, Any] = json.loads(line)
            return answer
        except json.JSONDecodeError:
            return {"ok": False, "error": f"unreadable answer: {line[:200]!r}"}

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Stop the worker, then its server."""
        stop_process(self.proc)
        if self.server:
            stop_process(self.server)
        self._stderr.close()

    def kill(self) -> None:
        """Kill the worker and its server at once (after a timeout: both may be busy)."""
        for proc in (self.proc, self.server):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        self._stderr.close()

    def _read_line(self, timeout_s: float) -> str | None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if not sel.select(timeout_s):
                    return None
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def _died(self) -> dict[str, Any]:
        self.stop()
        tail = self.stderr_path.read_text(errors="replace")[-500:].strip()
        return {"ok": False, "error": f"worker exited with {self.proc.returncode}: {tail}"}
