"""Start and drive a sandbox store process (benchmarks, and anything else that needs one), and
measure the memory of a process that runs against it."""

import json
import resource
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def sandbox_control(api_url: str, method: str, path: str, payload: dict | None = None) -> dict:
    """One call to the sandbox's control API (`/_sandbox/...`) at `api_url`."""
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        f"{api_url}/_sandbox/{path.lstrip('/')}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
    return json.loads(body) if body else {}


def proc_status_mb(field: str, pid: int | str = "self") -> float | None:
    """A memory figure of a process (this one by default) from /proc/<pid>/status (VmRSS,
    VmHWM), None off Linux."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; getrusage's ru_maxrss
    does not (a child started by a bigger parent would report the parent's peak), so it is
    only the fallback."""
    peak = proc_status_mb("VmHWM")
    if peak is not None:
        return peak
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


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
        return sandbox_control(self.url, method, path, payload)

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
