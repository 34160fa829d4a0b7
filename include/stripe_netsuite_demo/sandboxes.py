"""Start and stop the sandboxes as separate processes (their console scripts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    url: str

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()


def start(name: str, *args: str) -> Process:
    popen = subprocess.Popen(
        [str(BIN / name), "serve", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = popen.stdout.readline().strip()
    if " listening on " not in line:
        popen.kill()
        raise RuntimeError(f"{name} did not start (printed {line!r})")
    return Process(name, popen, line.rsplit(" ", 1)[-1])
