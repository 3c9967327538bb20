"""Shared helpers for Kumo's benchmark harnesses (bench/sightglass, bench/kernels/run)."""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
V8_RUNNER = BENCH_DIR / "v8-runner.mjs"


def find_kumo_runner(explicit=None):
    """bench/kumo_bench_runner as built by bench/bench.cmake, in build/ unless told otherwise."""
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("KUMO_BENCH_RUNNER"):
        candidates.append(Path(os.environ["KUMO_BENCH_RUNNER"]))
    build = os.environ.get("KUMO_BUILD_DIR")
    if build:
        candidates.append(Path(build) / "kumo_bench_runner")
    candidates.append(ROOT / "build" / "kumo_bench_runner")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c.resolve()
    return None


def node_command(node=None):
    """The node executable plus the flags its version needs for node:wasi."""
    exe = node or shutil.which("node")
    if not exe:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    m = re.match(r"v(\d+)", out)
    major = int(m.group(1)) if m else 0
    cmd = [exe, "--no-warnings"]
    if major < 20:  # WASI was behind a flag before Node 20
        cmd.append("--experimental-wasi-unstable-preview1")
    return cmd, out


class RunResult:
    def __init__(self, ok, timing, stdout, stderr, code, error=None, wall_ms=None):
        self.ok = ok
        self.timing = timing or {}
        self.stdout = stdout
        self.stderr = stderr
        self.code = code
        self.error = error
        self.wall_ms = wall_ms

    @property
    def bench_ms(self):
        return self.timing.get("bench_ms")


TIMING = object()  # placeholder in a command line for the timing file's path


def run_timed(cmd, cwd=None, timeout=None, env=None):
    """Runs a runner (kumo or v8) that writes its JSON timing to the file given where `cmd` holds
    TIMING (e.g. [runner, "--timing", TIMING, module])."""
    fd, tpath = tempfile.mkstemp(prefix="kumo-bench-", suffix=".json")
    os.close(fd)
    full = [tpath if c is TIMING else str(c) for c in cmd]
    e = dict(os.environ)
    e["NODE_NO_WARNINGS"] = "1"
    if env:
        e.update(env)
    # Output goes to files, not pipes: Node's WASI writes to a full non-blocking pipe fail with
    # EAGAIN, which a Rust benchmark turns into a panic (pulldown-cmark writes 1.2 MB to stderr).
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        try:
            p = subprocess.run(full, cwd=cwd, stdout=out, stderr=errf, timeout=timeout, env=e,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            os.unlink(tpath)
            return RunResult(False, None, b"", b"", None, f"timeout after {timeout} s")
        wall = (time.perf_counter() - t0) * 1000
        out.seek(0)
        errf.seek(0)
        stdout, stderr = out.read(), errf.read()
    timing = None
    try:
        with open(tpath) as f:
            text = f.read().strip()
        if text:
            timing = json.loads(text.splitlines()[-1])
    except (OSError, json.JSONDecodeError):
        timing = None
    finally:
        try:
            os.unlink(tpath)
        except OSError:
            pass
    err = None
    if p.returncode < 0:
        err = f"killed by signal {-p.returncode}"
    elif timing is None:
        err = f"no timing reported (exit {p.returncode})"
    return RunResult(err is None, timing, stdout, stderr, p.returncode, err, wall)


def geomean(values):
    values = [v for v in values if v and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def fmt_ratio(v):
    if v is None:
        return "-"
    return f"{v:.2f}x" if v < 100 else f"{v:.0f}x"


def tail(data, n=400):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


def machine_description():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs"


def eprint(*a):
    print(*a, file=sys.stderr, flush=True)
