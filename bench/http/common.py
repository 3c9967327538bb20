"""Shared pieces of bench/http/run and bench/http/soak: paths, package installs, starting and
stopping servers in their own process groups, waiting for ports, RSS, wrk output parsing."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMPONENTS = os.path.join(ROOT, "tests", "components", "wasm")
JCO = os.path.join(ROOT, "tests", "components", "node_modules", ".bin", "jco")


def log(msg):
    print(f"\033[1m[bench/http]\033[0m {msg}", file=sys.stderr, flush=True)


def loud(msg):
    """An error that must not go unnoticed: red, on stderr, framed."""
    bar = "!" * 78
    print(f"\033[1;31m{bar}\nERROR: {msg}\n{bar}\033[0m", file=sys.stderr, flush=True)


def ensure_debian_packages(binaries):
    """binaries: {command: debian package}. Installs the packages whose command is missing."""
    missing = sorted({pkg for cmd, pkg in binaries.items() if shutil.which(cmd) is None})
    if not missing:
        return
    if os.environ.get("KUMO_SKIP_APT") == "1":
        raise RuntimeError(f"missing {', '.join(missing)} and KUMO_SKIP_APT=1")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    log(f"installing {' '.join(missing)} (Debian)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    # policy-rc.d (present on this image) keeps the nginx package from starting its own service.
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing,
                   check=True, env=env, stdout=subprocess.DEVNULL)


def ensure_jco():
    subprocess.run([os.path.join(ROOT, "scripts", "setup-js.sh")], check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """A server process started in its own session/process group, so that stopping it also stops
    the children it spawned (jco serve runs the component in a child node process)."""

    def __init__(self, name, cmd, port, logdir, cwd=None, env=None):
        self.name, self.cmd, self.port = name, cmd, port
        self.logpath = os.path.join(logdir, f"{name}.log")
        self.logf = open(self.logpath, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                                     start_new_session=True)

    def wait_ready(self, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            if port_open(self.port):
                return True
            time.sleep(0.1)
        return False

    def log_tail(self, n=15):
        try:
            with open(self.logpath, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def pids(self):
        """Every process of the server's process group."""
        out = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.proc.pid:  # pgrp
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
        return out

    def rss_kib(self):
        """Resident memory of the whole process group, in KiB."""
        total = 0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
        return total

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        # Children that outlived the leader (same process group).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.logf.close()


def kumo_has_serve(kumo):
    if not os.access(kumo, os.X_OK):
        return f"{kumo} does not exist (build Kumo first)"
    r = subprocess.run([kumo, "serve", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        return f"`{kumo} serve` is not available: {(r.stderr or r.stdout).strip()[:200]}"
    return None


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(m.group(1)) * _UNITS[m.group(2)] if m else None


def parse_wrk(out):
    """Requests/s, latency percentiles (ms), request count, non-2xx and socket errors."""
    r = {"rps": None, "p50": None, "p75": None, "p90": None, "p99": None, "requests": None,
         "non2xx": 0, "errors": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        r["rps"] = float(m.group(1))
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            r["p" + pct] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    return r
