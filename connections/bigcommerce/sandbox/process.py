"""Start and drive a sandbox store process for benchmarks (and anything else that needs one)."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


class SandboxProcess:
    def __init__(self, *, store_hash="bench01", token="bench-token-01", **options):
        self.store_hash, self.token = store_hash, token
        args = [
            sys.executable,
            str(REPO / "manage.py"),
            "sandbox",
            "--port",
            "0",
            "--stores",
            f"{store_hash}:{token}",
        ]
        for name, value in options.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO)
        line = self.process.stdout.readline()
        if "listening on " not in line:
            self.process.kill()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = line.strip().rsplit("listening on ", 1)[1]

    def control(self, method: str, path: str, payload: dict | None = None) -> dict:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{self.url}/_sandbox/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=600) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
