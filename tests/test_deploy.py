"""Production deployment, run for real on loopback: two gunicorn app servers sharing only PostgreSQL
(and Redis for rate limits), nginx in front caching feeds by ETag, and backup / restore with pg_dump."""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from calendar_app.models import Area, AuditEntry, Institution, User, YearReport
from tests.conftest import require_service
from tests.test_scheduler import ROOT, app_env, flask, private_postgres

DEPLOY = ROOT / "deploy"
PASSWORD = "correct horse battery"
YEAR = 2025
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(url: str) -> None:
    """A district with two libraries, their editors and the district officer."""
    engine = create_engine(url)
    hashed = generate_password_hash(PASSWORD, method="scrypt")
    with Session(engine) as session:
        province = Area(code="25", name="Phú Thọ", level="province", path="/1/")
        district = Area(code="227", name="Việt Trì", level="district", parent=province, path="/1/2/")
        first = Institution(slug="tv-mot", name="Thư viện Một", category="library_commune", area=district)
        second = Institution(slug="tv-hai", name="Thư viện Hai", category="library_commune", area=district)
        session.add_all([
            User(email="editor@example.org", role="editor", institution=first, password_hash=hashed),
            User(email="editor2@example.org", role="editor", institution=second, password_hash=hashed),
            User(email="officer@example.org", role="officer", area=district, password_hash=hashed),
        ])
        session.commit()
    engine.dispose()


class Browser:
    """One person's browser: cookies kept across servers (as behind a load balancer), and a client IP
    that the proxy would put in X-Forwarded-For (a documentation address, never contacted)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.ip = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"

    def request(self, port: int, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = {"X-Forwarded-For": self.ip, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        connection.close()
        return response.status, response.headers, content

    def csrf(self, port: int, path: str) -> str:
        status, _, page = self.request(port, "GET", path)
        assert status == 200, (path, status)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, port: int, email: str, password: str = PASSWORD) -> int:
        token = self.csrf(port, "/login")
        return self.request(port, "POST", "/login", {"csrf_token": token, "email": email,
                                                     "password": password})[0]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_available() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two gunicorn app servers (deploy/gunicorn.conf.py) on one PostgreSQL database and one Redis."""
    require_service(redis_available(), f"Redis at {REDIS_URL} (and the redis package) is needed")
    tmp = tmp_path_factory.mktemp("cluster")
    with ExitStack() as stack:
        url = stack.enter_context(private_postgres("cluster"))
        base_env = app_env(url, tmp / "instance", CALENDAR_ENV="production", RATELIMIT_STORAGE_URI=REDIS_URL,
                           PUBLIC_BASE_URL="http://calendar.test",
                           PROXY_COUNT=1, WEB_CONCURRENCY=1, GUNICORN_THREADS=2)
        flask(base_env, "db", "upgrade")
        seed(url)
        servers = []
        for _ in range(2):
            port = free_port()
            log = stack.enter_context(open(tmp / f"gunicorn-{port}.log", "w"))
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "wsgi:app"],
                cwd=ROOT, env={**base_env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=log,
                stderr=subprocess.STDOUT)
            stack.callback(stop, process)
            servers.append((port, process))
        for port, process in servers:
            wait_for(port, process)
        yield {"url": url, "ports": [port for port, _ in servers], "tmp": tmp}


def test_a_change_through_one_app_server_is_seen_on_the_other(cluster):
    a, b = cluster["ports"]
    editor = Browser()
    assert editor.login(a, "editor@example.org") == 302
    # the session is a signed cookie: server B knows the editor without having seen the login
    token = editor.csrf(b, f"/approval/year?year={YEAR}")
    assert editor.request(b, "POST", f"/approval/tv-mot/{YEAR}/submit", {"csrf_token": token})[0] == 302

    officer = Browser()
    assert officer.login(b, "officer@example.org") == 302
    status, _, queue = officer.request(a, "GET", f"/approval/queue?year={YEAR}")
    assert status == 200 and "Thư viện Một" in queue and "Thư viện Hai" not in queue
    token = officer.csrf(a, f"/approval/queue?year={YEAR}")
    assert officer.request(a, "POST", f"/approval/tv-mot/{YEAR}/approve", {"csrf_token": token})[0] == 302

    status, _, page = editor.request(b, "GET", f"/approval/year?year={YEAR}&lang=en")
    assert status == 200 and "Approved (figures locked)" in page
    engine = create_engine(cluster["url"])
    with engine.connect() as connection:
        assert connection.scalar(select(YearReport.status)) == "approved"
        assert connection.scalar(select(func.count(AuditEntry.id))) == 2
    engine.dispose()


def test_the_login_rate_limit_is_shared_through_redis(cluster):
    """10 failed logins a minute per client, counted across both servers: the 11th is refused on either."""
    a, b = cluster["ports"]
    client = Browser()
    answers = [client.login(a if n % 2 == 0 else b, "editor2@example.org", "wrong password") for n in range(10)]
    assert answers == [400] * 10  # each server alone saw only five
    assert client.login(a, "editor2@example.org", "wrong password") == 429
    assert client.login(b, "editor2@example.org") == 429  # even with the right password, for now
    assert Browser().login(b, "editor2@example.org") == 302  # another client is not affected


def test_every_app_server_gives_a_feed_the_same_etag(cluster):
    a, b = cluster["ports"]
    status, headers, body = Browser().request(a, "GET", "/feeds/all.ics")
    assert status == 200 and body.startswith("BEGIN:VCALENDAR")
    etag = headers["ETag"]
    status, headers, _ = Browser().request(b, "GET", "/feeds/all.ics", headers={"If-None-Match": etag})
    assert status == 304 and headers["ETag"] == etag


NGINX_CONF = """
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=calendar_feeds:1m max_size=50m inactive=1h
                     use_temp_path=off;
    upstream calendar_app {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
        keepalive 4;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        set $calendar_root {root};
        include {root}/deploy/nginx/calendar-locations.conf;
    }}
}}
"""


def test_nginx_in_front_caches_feeds_by_etag_and_balances_the_rest(cluster):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    require_service(nginx is not None, "nginx is not installed (apt-get install nginx-light)")
    a, b = cluster["ports"]
    tmp = cluster["tmp"] / "nginx"
    tmp.mkdir()
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, a=a, b=b, port=port, root=ROOT))
    checked = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with subprocess.Popen([nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proxy:
        try:
            wait_for(port, proxy)
            visitor = Browser()
            first = visitor.request(port, "GET", "/feeds/all.ics")
            second = visitor.request(port, "GET", "/feeds/all.ics")
            assert (first[0], first[1]["X-Cache-Status"]) == (200, "MISS")
            assert (second[0], second[1]["X-Cache-Status"]) == (200, "HIT")
            assert second[2] == first[2] and second[1]["ETag"] == first[1]["ETag"]
            assert second[1]["Content-Type"].startswith("text/calendar")
            revalidated = visitor.request(port, "GET", "/feeds/all.ics",
                                          headers={"If-None-Match": first[1]["ETag"]})
            assert (revalidated[0], revalidated[1]["X-Cache-Status"]) == (304, "HIT")
            static = visitor.request(port, "GET", "/static/css/approval.css")
            assert static[0] == 200 and "X-Cache-Status" not in static[1] and ".year-picker" in static[2]
            # pages go through to the app servers, with the client's address forwarded
            status, headers, page = visitor.request(port, "GET", "/login")
            assert status == 200 and "csrf_token" in page and "X-Cache-Status" not in headers
            assert visitor.login(port, "editor@example.org") == 302
            access = (tmp / "nginx-access.log").read_text()
            assert access.count("/feeds/all.ics") == 3
        finally:
            proxy.send_signal(signal.SIGQUIT)
            try:
                proxy.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proxy.kill()


# --- backup and restore ------------------------------------------------------------------------------------


def _rows(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {
            "institutions": connection.scalars(select(Institution.slug).order_by(Institution.slug)).all(),
            "users": connection.scalar(select(func.count(User.id))),
            "reports": connection.execute(select(YearReport.year, YearReport.status)).all(),
            "alembic": connection.scalar(text("SELECT version_num FROM alembic_version")),
        }
    engine.dispose()
    return rows


def _script(name: str, *args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", str(DEPLOY / name), *args], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_backup_then_restore_into_a_fresh_database(tmp_path):
    backups = tmp_path / "backups"
    with private_postgres("live") as live, private_postgres("restored") as restored:
        env = app_env(live, tmp_path / "instance", BACKUP_DIR=backups, BACKUP_KEEP_DAYS=14)
        flask(env, "db", "upgrade")
        seed(live)
        engine = create_engine(live)
        with Session(engine) as session:
            session.add(YearReport(institution_id=1, year=YEAR, status="approved"))
            session.commit()
        engine.dispose()
        backups.mkdir()
        old = backups / "calendar-20000101T000000Z.dump"
        old.write_bytes(b"old")
        os.utime(old, (time.time() - 30 * 86400,) * 2)

        made = _script("backup.sh", env=env)  # DATABASE_URL is the app's postgresql+psycopg:// form
        dump = Path(made.stdout.strip().splitlines()[-1])
        assert dump.parent == backups and dump.name.startswith("calendar-") and dump.stat().st_size > 1000
        assert not old.exists()  # past BACKUP_KEEP_DAYS
        assert list(backups.glob("*.partial")) == []

        _script("restore.sh", str(dump), restored, env=env)
        before, after = _rows(live), _rows(restored)
        assert after == before
        assert after["institutions"] == ["tv-hai", "tv-mot"] and after["reports"] == [(YEAR, "approved")]
        # the restored database is a working app database: the schema is current, the app reads it
        flask({**env, "DATABASE_URL": restored}, "db", "upgrade")
        token = flask({**env, "DATABASE_URL": restored}, "users", "token", "officer@example.org")
        assert token.stdout.strip().splitlines()[-1].startswith("lcal_")

        # restoring over a database that has tables is refused unless --replace, and changes nothing
        refused = _script("restore.sh", str(dump), restored, env=env, check=False)
        assert refused.returncode != 0
        assert _rows(restored)["institutions"] == ["tv-hai", "tv-mot"]
        # --replace without --yes asks; with no one to answer, nothing is done
        assert _script("restore.sh", "--replace", str(dump), restored, env=env, check=False).returncode != 0
        engine = create_engine(restored)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM api_tokens"))
            connection.execute(text("UPDATE year_reports SET status = 'open'"))
        engine.dispose()
        _script("restore.sh", "--replace", "--yes", str(dump), restored, env=env)
        assert _rows(restored) == before


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    done = _script("backup.sh", env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                                     "BACKUP_DIR": str(tmp_path)}, check=False)
    assert done.returncode == 2 and "not a PostgreSQL URL" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8001,127.0.0.1:8002")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["bind"] == ["127.0.0.1:8001", "127.0.0.1:8002"]
    assert (settings["workers"], settings["worker_class"], settings["preload_app"]) == (3, "gthread", False)
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == (os.cpu_count() or 1) * 2 + 1
