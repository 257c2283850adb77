"""`kring bench load`: the site served as in production, under a mix of roles, against the floor.

The site runs in gunicorn (sync workers, no debug, the access log on, as
`kring serve` runs it) on a free loopback port, with the floor mounted
(`KRING_BENCH_FLOOR=1`). A small load generator in this process drives it:
`users` threads, each a closed loop (send a request, read the whole answer,
send the next; no think time), each with its own real session per role. Every
request picks a page by the weights of `kring.benchmarks.scenario.pages`, so
the mix is the pages' share of a working day. Then the same users ask for the
floor only, for the same time. Any answer that is not 2xx, or that lacks the
page's marker (a family page that fell back to the sign-in form), is an error.

Why not locust: its gevent monkey-patching must happen before Django and
psycopg are imported and cannot share this process, which signs the users in
and picks the objects; a thread per user with `http.client` needs no extra
package and costs the generator little CPU next to the server's.
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from .pages import percentile
from .scenario import Page

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_server(*, workers: int, log_dir: Path, timeout: float = 90) -> Server:
    """gunicorn as `kring serve` starts it, with the floor mounted; returns once /healthz answers."""
    port = free_port()
    log = log_dir / "gunicorn.log"
    env = {**os.environ, "KRING_BENCH_FLOOR": "1", "KRING_DEBUG": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "kring.settings")
    command = [
        sys.executable, "-m", "gunicorn", "kring.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--graceful-timeout", "10", "--config", "python:kring.gunicorn_conf",
        "--access-logfile", str(log_dir / "access.log"), "--access-logformat", '%(t)s "%(m)s %(U)s" %(s)s %(L)ss',
        "--error-logfile", str(log),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    server = Server(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{_tail(log)}")
        try:
            if _get(server.port, "/healthz", {})[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{_tail(log)}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the load ----------------------------------------------------------------------------------


@dataclass
class PageLoad:
    page: Page
    times: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.times) + sum(self.errors.values())


# --- CPU used by each side ----------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (field 3 is the first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process this user can see."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, rest = (entry / "stat").read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue
        found.append((int(entry.name), int(rest.split()[1]), head.split("(", 1)[1]))
    return found


def _tree_cpu(root: int, processes: list[tuple[int, int, str]]) -> float:
    """CPU seconds of a server: its main process, its living children, and the children that
    already ended (the kernel adds those to the main process's "children" times once reaped), so
    a worker or connection that is replaced during a phase is not lost."""
    own = _stat(root)
    if own is None:
        return 0.0
    ticks = int(own[11]) + int(own[12]) + int(own[13]) + int(own[14])  # utime stime cutime cstime
    for pid, parent, _name in processes:
        if parent == root and (child := _stat(pid)) is not None:
            ticks += int(child[11]) + int(child[12])
    return ticks / _TICKS


def _postmaster(processes: list[tuple[int, int, str]]) -> int | None:
    """The PostgreSQL server's main process on this machine (a `postgres` whose parent is not)."""
    names = {pid: name for pid, _parent, name in processes}
    return next((pid for pid, parent, name in processes
                 if name == "postgres" and names.get(parent) != "postgres"), None)


def cpu_snapshot(server: Server) -> dict[str, float] | None:
    """CPU seconds used so far by the web server (gunicorn and its workers), the PostgreSQL
    server when it runs on this machine (all of it: run benchmarks on an otherwise quiet
    database server) and this process (the load generator). None where /proc is missing."""
    if not Path("/proc/self/stat").exists():
        return None
    from django.db import connection

    processes = _processes()
    postmaster = _postmaster(processes) if connection.vendor == "postgresql" else None
    return {
        "web": _tree_cpu(server.process.pid, processes),
        "database": _tree_cpu(postmaster, processes) if postmaster else 0.0,
        "generator": time.process_time(),
    }


def cpu_used(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, float] | None:
    """CPU seconds per side between two snapshots."""
    if not before or not after:
        return None
    return {side: max(0.0, after[side] - before[side]) for side in after}


@dataclass
class Phase:
    name: str
    seconds: float
    users: int
    pages: dict[str, PageLoad]
    cpu: dict[str, float] | None = None

    def cpu_per_request(self) -> dict[str, float] | None:
        """Milliseconds of CPU per successful request, by side (web, database, generator)."""
        if not self.cpu or not self.ok:
            return None
        return {side: seconds * 1000 / self.ok for side, seconds in self.cpu.items()}

    @property
    def ok(self) -> int:
        return sum(len(p.times) for p in self.pages.values())

    @property
    def errors(self) -> int:
        return sum(sum(p.errors.values()) for p in self.pages.values())

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    def all_times(self) -> list[float]:
        return [t for p in self.pages.values() for t in p.times]


def run_phase(name: str, server: Server, pages: list[Page], sessions: list[dict[str, str]], *,
              seconds: float, seed: int = 1) -> Phase:
    """`len(sessions)` closed-loop users asking for `pages` (by weight) for `seconds`."""
    weights = [max(p.weight, 0) for p in pages]
    if not any(weights):
        weights = [1] * len(pages)
    cookie_name = settings.SESSION_COOKIE_NAME
    results = {p.key: PageLoad(p) for p in pages}
    lock = threading.Lock()
    start = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def user(index: int, keys: dict[str, str]) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 - a load mix, not a secret
        mine: dict[str, list] = defaultdict(list)
        wrong: dict[str, Counter] = defaultdict(Counter)
        start.wait()
        while time.monotonic() < deadline[0]:
            page = rng.choices(pages, weights)[0]
            headers = {"Cookie": f"{cookie_name}={keys[page.role]}", "Accept-Language": "nl"}
            began = time.perf_counter()
            try:
                status, body = _get(server.port, page.path, headers)
            except OSError as exc:
                wrong[page.key][f"{type(exc).__name__}"] += 1
                continue
            elapsed = time.perf_counter() - began
            if not 200 <= status < 300:
                wrong[page.key][f"status {status}"] += 1
            elif page.marker and page.marker not in body:
                wrong[page.key][f"status {status} without {page.marker.decode()!r}"] += 1
            else:
                mine[page.key].append(elapsed)
        with lock:
            for key, times in mine.items():
                results[key].times.extend(times)
            for key, counter in wrong.items():
                results[key].errors.update(counter)

    threads = [threading.Thread(target=user, args=(i, keys), daemon=True) for i, keys in enumerate(sessions)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_snapshot(server)
    began = time.monotonic()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began
    cpu_after = cpu_snapshot(server)
    return Phase(name, elapsed, len(sessions), results, cpu_used(cpu_before, cpu_after))


def combined(parts: list[Phase]) -> Phase:
    """Rounds of one phase as one: their times, requests, errors and CPU added up."""
    first = parts[0]
    pages = {key: PageLoad(load.page) for key, load in first.pages.items()}
    for part in parts:
        for key, load in part.pages.items():
            pages[key].times.extend(load.times)
            pages[key].errors.update(load.errors)
    cpu = None
    if all(part.cpu for part in parts):
        cpu = {side: sum(part.cpu[side] for part in parts) for side in first.cpu}
    return Phase(first.name, sum(p.seconds for p in parts), first.users, pages, cpu)


def alternate(server: Server, mix: list[Page], floor: list[Page], sessions: list[dict[str, str]], *,
              seconds: float, rounds: int) -> tuple[Phase, Phase, list[float]]:
    """The mixed workload and the floor in turns (`rounds` of each, `seconds` in all per phase), so
    both meet the same conditions on a machine whose speed drifts (a shared virtual machine);
    returns both phases and the ratio of each round."""
    mixed_parts, floor_parts = [], []
    for index in range(rounds):
        mixed_parts.append(run_phase("mixed workload", server, mix, sessions, seconds=seconds / rounds,
                                     seed=index + 1))
        floor_parts.append(run_phase("floor only", server, floor, sessions, seconds=seconds / rounds,
                                     seed=index + 1))
    ratios = [m.throughput / f.throughput if f.throughput else float("nan")
              for m, f in zip(mixed_parts, floor_parts, strict=True)]
    return combined(mixed_parts), combined(floor_parts), ratios


def warm_up(server: Server, pages: list[Page], keys: dict[str, str], rounds: int) -> list[str]:
    """Every page `rounds` times (each worker loads its templates, fonts, caches); returns problems."""
    problems = []
    for _ in range(rounds):
        for page in pages:
            status, body = _get(server.port, page.path,
                                {"Cookie": f"{settings.SESSION_COOKIE_NAME}={keys[page.role]}"})
            if not 200 <= status < 300 or (page.marker and page.marker not in body):
                problems.append(f"{page.key}: status {status}")
    return sorted(set(problems))


# --- the report ---------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def phase_table(phase: Phase) -> str:
    title = f"{'page':<44} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
    lines = [f"{phase.name}: {phase.users} users, {phase.seconds:.1f} s, {phase.throughput:.1f} requests/s, "
             f"{phase.errors} errors", title, "-" * len(title)]
    rows = sorted(phase.pages.values(), key=lambda p: -p.requests)
    for p in [*rows, None]:
        times = phase.all_times() if p is None else p.times
        key = "all" if p is None else p.page.key
        count = phase.ok + phase.errors if p is None else p.requests
        errors = phase.errors if p is None else sum(p.errors.values())
        if not count:
            continue
        cells = [_ms(percentile(times, q)) for q in (50, 95, 99)] if times else ["-"] * 3
        rate = (len(times) / phase.seconds) if phase.seconds else 0
        lines.append(f"{key:<44} {count:>8} {rate:>7.1f} {cells[0]:>7} {cells[1]:>7} {cells[2]:>7} {errors:>7}")
    for p in rows:
        for what, n in p.errors.most_common():
            lines.append(f"  error: {p.page.key}: {what} × {n}")
    per_request = phase.cpu_per_request()
    if per_request:
        lines.append("CPU per request: " + ", ".join(f"{side} {ms:.1f} ms" for side, ms in per_request.items())
                     + f" (total {sum(per_request.values()):.1f} ms)")
    return "\n".join(lines)


def phase_json(phase: Phase) -> dict[str, Any]:
    def figures(times: list[float]) -> dict[str, Any]:
        if not times:
            return {}
        return {f"p{q}_ms": round(percentile(times, q) * 1000, 2) for q in (50, 95, 99)}

    return {
        "name": phase.name, "seconds": round(phase.seconds, 2), "users": phase.users,
        "cpu_ms_per_request": {k: round(v, 2) for k, v in (phase.cpu_per_request() or {}).items()},
        "throughput": round(phase.throughput, 2), "ok": phase.ok, "errors": phase.errors,
        **figures(phase.all_times()),
        "pages": [{"role": p.page.role, "page": p.page.name, "ok": len(p.times),
                   "errors": dict(p.errors), **figures(p.times)} for p in phase.pages.values()],
    }


def temporary_log_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="kring-bench-load-"))

