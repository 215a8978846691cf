"""What the benchmarks share besides the data: printing, gunicorn servers, wrk with percentiles, the bare
Flask floor, signing in as a member of staff, and the memory of workers.

Nothing here imports the application: the servers run it in their own processes.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BIN = Path(sys.executable).parent
#: the wrk script that prints the latency percentiles wrk itself does not (p95)
PERCENTILES_LUA = BENCH / "percentiles.lua"
#: sent by every client of the benchmarks, wrk included: Flask-Login ties a session to the user agent
USER_AGENT = "calendar-bench"
#: headers of a recorded answer that the floor does not replay (the server sets its own)
_NOT_REPLAYED = {"content-length", "date", "server", "connection", "transfer-encoding", "set-cookie", "keep-alive"}


def say(message: str, started: float | None = None) -> None:
    """Print at once, with the seconds since `started` when given."""
    suffix = f" ({time.perf_counter() - started:.1f} s)" if started is not None else ""
    print(message + suffix, flush=True)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` blocks stop the servers and drop scratch databases."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def require_wrk() -> None:
    if not shutil.which("wrk"):
        sys.exit("the benchmarks need wrk: apt-get install -y wrk")


# --- servers ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers on a loopback port, in its own process group."""

    def __init__(self, module: str, env: dict, cwd: Path = ROOT, workers: int = 2, timeout: int = 900,
                 port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers_wanted = workers
        #: gunicorn_hooks.py touches <pid> here once a worker has loaded the app
        self.ready = Path(tempfile.mkdtemp(prefix="gunicorn-ready-"))
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(BENCH / "gunicorn_hooks.py"), "--workers", str(workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--timeout", str(timeout),
             "--log-level", "warning", module],
            cwd=cwd, env={**env, "BENCH_READY_DIR": str(self.ready)}, start_new_session=True)
        atexit.register(self.stop)  # in its own session, so nothing else would stop it

    def wait_until_up(self, seconds: float = 120) -> None:
        """Until the port answers and every worker has booted (imported the app)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if len(self.workers()) == self.workers_wanted and all(self._booted(p) for p in self.workers()):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.base} did not come up")

    def workers(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return sorted(int(pid) for pid in text.split())

    def restart_workers(self, seconds: float = 120) -> list[int]:
        """HUP the master: gunicorn starts new workers (empty caches) and retires the old ones."""
        old = set(self.workers())
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            current = set(self.workers())
            if len(current) == self.workers_wanted and not current & old and all(self._booted(p) for p in current):
                return sorted(current)
            time.sleep(0.2)
        raise RuntimeError("the workers did not restart")

    def _booted(self, pid: int) -> bool:
        return (self.ready / str(pid)).exists()

    @contextmanager
    def pinned(self, worker: int) -> Iterator[None]:
        """Requests made inside go to `worker`: the other workers are paused (SIGSTOP) and cannot accept."""
        others = [pid for pid in self.workers() if pid != worker]
        for pid in others:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in others:
                os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        for pid in self.workers():  # a paused worker would never hear the TERM
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.ready, ignore_errors=True)


@contextmanager
def serving(module: str, env: dict, cwd: Path = ROOT, **options) -> Iterator[Server]:
    server = Server(module, env, cwd, **options)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process, in MB; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def app_environment(database_url: str, instance: Path, **extra) -> dict:
    """The environment the app runs with under gunicorn in every benchmark."""
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench", "CALENDAR_INSTANCE_PATH":
            str(instance), "SCHEDULER_ENABLED": "0", "CALENDAR_DOMAIN": "bench.example",
            "PUBLIC_BASE_URL": "https://lich.example", **extra}


# --- single requests ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def get(base: str, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None,
        timeout: float = 900) -> Answer:
    """One request without following redirects (a staff page that sends to /login must show as 302)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
        return Answer(response.status, dict(response.getheaders()), data, seconds)
    finally:
        connection.close()


def sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a staff session, obtained through /login like a browser (CSRF token included)."""
    form = get(base, "/login")
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form.body) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', form.body)
    if form.status != 200 or match is None:
        raise RuntimeError(f"/login answered {form.status} without a CSRF token")
    cookie = _cookie_header(form.headers, "")
    body = urlencode({"csrf_token": match.group(1).decode(), "email": email, "password": password}).encode()
    answer = get(base, "/login", {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                 method="POST", body=body)
    if answer.status != 302:
        raise RuntimeError(f"signing in as {email} answered {answer.status}, not a redirect")
    return _cookie_header(answer.headers, cookie)


def _cookie_header(headers: dict, previous: str) -> str:
    jar = SimpleCookie(previous)
    for name, value in headers.items():
        if name.lower() == "set-cookie":
            jar.load(value)
    return "; ".join(f"{key}={morsel.value}" for key, morsel in jar.items())


# --- wrk -----------------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one wrk run saw; latencies in seconds."""

    requests: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def wrk(url: str, seconds: float, connections: int, headers: dict | None = None) -> Load:
    """wrk -t1 for `seconds` (whole seconds: wrk takes no fractions) with `connections`; status >= 400,
    timeouts and socket errors count as errors."""
    seconds = max(1, round(seconds))
    extra = [arg for name, value in {"User-Agent": USER_AGENT, **(headers or {})}.items()
             for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "120s", "-s", str(PERCENTILES_LUA),
         *extra, url], capture_output=True, text=True, check=True, timeout=seconds + 300).stdout
    found = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no percentiles:\n{output}")
    data = json.loads(found.group(1))
    return Load(requests=data["requests"], rate=data["requests"] / (data["duration_us"] / 1e6),
                p50=data["p50_us"] / 1e6, p95=data["p95_us"] / 1e6, p99=data["p99_us"] / 1e6,
                errors=data["status_errors"] + data["timeouts"] + data["connect_errors"] + data["read_errors"])


def median_rate(url: str, seconds: float, connections: int, rounds: int, headers: dict | None = None) -> float:
    return statistics.median(wrk(url, seconds, connections, headers).rate for _ in range(rounds))


# --- the floor -------------------------------------------------------------------------------------------


class Recording:
    """Answers recorded from the app, for the bare Flask floor (bench/bare_app.py) to replay byte for byte."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.manifest: dict[str, dict] = {}

    def add(self, path: str, answer: Answer) -> None:
        name = f"answer-{len(self.manifest)}.bin"
        (self.directory / name).write_bytes(answer.body)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _NOT_REPLAYED}
        self.manifest[path] = {"file": name, "status": answer.status, "headers": headers}

    def environment(self) -> dict:
        manifest = self.directory / "manifest.json"
        manifest.write_text(json.dumps(self.manifest, ensure_ascii=False))
        return {**os.environ, "BARE_RESPONSES": str(manifest)}


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"
