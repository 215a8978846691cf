"""Scheduled jobs: each job's run is claimed once per period, in one process or several (PostgreSQL)."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from calendar_app.clock import to_utc
from calendar_app.extensions import db as _db
from calendar_app.models import JobRun, Registration, Reminder
from calendar_app.scheduler import runner
from calendar_app.scheduler.jobs import JOBS, Job, daily, every_five_minutes
from tests import factories as f
from tests.conftest import require_service
from tests.scratch_db import scratch_postgres
from tests.test_reminders import smtp_sink

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def local(text_: str) -> datetime:
    return to_utc(datetime.fromisoformat(text_))


# --- helpers shared with test_deploy.py: a private PostgreSQL database and the app in a subprocess ---------


def postgres_server_url() -> str:
    """TEST_DATABASE_URL when it is PostgreSQL, else the local server: these tests need PostgreSQL itself."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else DEFAULT_POSTGRES


@contextmanager
def private_postgres(label: str):
    """A new, empty PostgreSQL database (dropped afterwards); yields its SQLAlchemy URL."""
    base = make_url(postgres_server_url())
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except OperationalError:
        admin.dispose()
        require_service(False, f"PostgreSQL at {base.render_as_string()} is needed")
    admin.dispose()
    with scratch_postgres(base.render_as_string(hide_password=False), f"calendar_{label}") as url:
        yield url


def app_env(database_url: str, instance: Path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FLASK_", "WERKZEUG_", "TEST_DATABASE"))}
    env.update(DATABASE_URL=database_url, CALENDAR_INSTANCE_PATH=str(instance), SECRET_KEY="shared-test-secret",
               SCHEDULER_ENABLED="0", PYTHONUNBUFFERED="1")
    env.update({key: str(value) for key, value in extra.items()})
    return env


def flask(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run([FLASK, "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def seed_small_province(url: str) -> None:
    """A district with three libraries, an editor each and an officer, written straight to the database."""
    from sqlalchemy.orm import Session

    from calendar_app.models import Area, Institution, User

    engine = create_engine(url)
    with Session(engine) as session:
        province = Area(code="25", name="Phú Thọ", level="province", path="/1/")
        district = Area(code="227", name="Việt Trì", level="district", parent=province, path="/1/2/")
        session.add_all([province, district])
        for n in range(3):
            library = Institution(slug=f"tv-{n}", name=f"Thư viện {n}", category="library_commune", area=district)
            session.add(User(email=f"editor{n}@example.org", role="editor", institution=library,
                             password_hash="x"))
        session.add(User(email="officer@example.org", role="officer", area=district, password_hash="x"))
        session.commit()
    engine.dispose()


# --- one process -------------------------------------------------------------------------------------------


@pytest.fixture()
def counting_job(monkeypatch):
    calls = []

    def work(now):
        calls.append(now)
        return "counted"
    monkeypatch.setitem(JOBS, "counting", Job("counting", work, daily, {"minute": 0}))
    return calls


def test_a_job_runs_once_per_period(db, counting_job):
    assert runner.run_job("counting", local("2025-11-03T08:00")) == (runner.RAN, "2025-11-03: counted")
    assert runner.run_job("counting", local("2025-11-03T23:59")) == (runner.DONE, "2025-11-03")
    assert runner.run_job("counting", local("2025-11-04T00:01"))[0] == runner.RAN
    assert len(counting_job) == 2
    rows = db.session.execute(select(JobRun.period, JobRun.finished_at.is_not(None))
                              .where(JobRun.job == "counting").order_by(JobRun.period)).all()
    assert rows == [("2025-11-03", True), ("2025-11-04", True)]


def test_a_failed_run_gives_its_period_back(db, monkeypatch):
    attempts = []

    def flaky(now):
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("mail server on fire")
        return "fine"
    monkeypatch.setitem(JOBS, "flaky", Job("flaky", flaky, daily))
    assert runner.run_job("flaky", local("2025-11-03T08:00")) == (runner.FAILED, "2025-11-03")
    assert db.session.scalar(select(func.count(JobRun.id)).where(JobRun.job == "flaky")) == 0
    assert runner.run_job("flaky", local("2025-11-03T09:00"))[0] == runner.RAN
    assert len(attempts) == 2


def test_periods_are_local_days_and_five_minute_slots():
    assert daily(datetime(2025, 11, 2, 17, 30)) == "2025-11-03"  # 00:30 on 3/11 in Hà Nội
    assert every_five_minutes(datetime(2025, 11, 3, 1, 59, 59)) == "2025-11-03T01:55"


def test_the_purge_job_erases_personal_data_past_the_keeping_time(app, db):
    lib = f.institution("tv", f.area("227"))
    talk = f.activity(lib, "Nói chuyện", start="2025-09-01T09:00", registration_required=True, capacity=30)
    occurrence = talk.occurrences[0]
    db.session.add(Registration(activity=talk, occurrence=occurrence, name="Nguyễn Văn A", email="a@example.org",
                                phone="0912345678", people=2, consent=True))
    db.session.commit()
    assert app.config["REGISTRATION_PURGE_DAYS"] == 30
    runner.run_job("purge_personal_data", local("2025-09-20T08:00"))  # too early: kept
    assert db.session.scalar(select(Registration.name)) == "Nguyễn Văn A"
    outcome, detail = runner.run_job("purge_personal_data", local("2025-10-15T08:00"))
    assert (outcome, detail) == (runner.RAN, "2025-10-15: 1 registration(s) purged")
    db.session.expire_all()
    registration = db.session.scalar(select(Registration))
    assert (registration.name, registration.email, registration.phone, registration.people) == (None, None, None, 2)


def test_cron_times_are_local_and_a_late_start_catches_up(app):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    assert runner.overdue_today(zone, datetime(2025, 11, 3, 9, 30, tzinfo=zone)) == set(JOBS)
    # at night the reminders wait for the morning; outside the season there is no report reminder
    assert runner.overdue_today(zone, datetime(2025, 11, 3, 2, 0, tzinfo=zone)) == {
        "purge_personal_data", "send_emails"}
    assert "deadline_reminders" not in runner.overdue_today(zone, datetime(2025, 6, 3, 9, 30, tzinfo=zone))
    trigger = runner.trigger_of(JOBS["attendance_reminders"], zone)
    assert trigger.get_next_fire_time(None, datetime(2025, 11, 3, 20, 30, tzinfo=zone)) == \
        datetime(2025, 11, 4, 7, 5, tzinfo=zone)
    deadline = runner.trigger_of(JOBS["deadline_reminders"], zone)
    assert deadline.get_next_fire_time(None, datetime(2025, 2, 1, tzinfo=zone)) == \
        datetime(2025, 11, 1, 8, 10, tzinfo=zone)
    scheduler = runner.build_scheduler(app)
    assert {job.id for job in scheduler.get_jobs()} == set(JOBS)


def _serving(args, reloader_child=False, monkeypatch=None):
    @click.command("run")
    @click.option("--reload/--no-reload", default=None)
    def run(reload):
        return runner.serving_process()
    if reloader_child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return CliRunner().invoke(run, args, standalone_mode=False).return_value


def test_only_the_serving_process_of_flask_run_starts_the_scheduler(app, monkeypatch):
    assert runner.serving_process() is False  # not inside `flask run` (tests, `flask db upgrade`, gunicorn)
    assert _serving([], monkeypatch=monkeypatch) is True  # `flask run` without the reloader
    assert _serving(["--reload"], monkeypatch=monkeypatch) is False  # the reloader's watching parent
    assert _serving(["--reload"], reloader_child=True, monkeypatch=monkeypatch) is True
    assert runner.start_in_process(app) is None and "scheduler" not in app.extensions


# --- PostgreSQL: the advisory lock, and two real processes -------------------------------------------------


@pytest.fixture()
def pg_app(tmp_path):
    """The test app pointed at a private PostgreSQL database, whatever TEST_DATABASE_URL says."""
    from calendar_app import create_app
    from calendar_app.config import for_tests

    with private_postgres("sched") as url:
        app = create_app(for_tests(url))
        with app.app_context():
            _db.create_all()
            yield app
            _db.session.remove()
            _db.engine.dispose()


def test_a_job_running_elsewhere_is_skipped_not_waited_for(pg_app, counting_job):
    with _db.engine.connect() as other_process:
        assert other_process.scalar(text("SELECT pg_try_advisory_lock(:ns, :key)"),
                                    {"ns": runner.LOCK_NAMESPACE, "key": runner.lock_key("counting")})
        assert runner.run_job("counting", local("2025-11-03T08:00"))[0] == runner.BUSY
        other_process.execute(text("SELECT pg_advisory_unlock_all()"))
    assert counting_job == []
    assert runner.run_job("counting", local("2025-11-03T08:00"))[0] == runner.RAN


def test_a_run_left_unfinished_by_a_crash_is_taken_over(pg_app, counting_job):
    _db.session.add(JobRun(job="counting", period="2025-11-03", host="crashed:1"))
    _db.session.commit()
    assert runner.run_job("counting", local("2025-11-03T09:00"))[0] == runner.RAN
    run = _db.session.scalar(select(JobRun).where(JobRun.job == "counting"))
    assert run.finished_at is not None and run.host != "crashed:1" and len(counting_job) == 1


def test_two_scheduler_processes_run_each_job_once_per_period(tmp_path):
    """Three `flask scheduler --run all` processes at once on one database: every job runs once, every
    reminder exists once and is e-mailed once."""
    with private_postgres("two") as url, smtp_sink() as sink:
        env = app_env(url, tmp_path / "instance", MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
        flask(env, "db", "upgrade")
        seed_small_province(url)
        moment = "2026-11-03T08:00"
        processes = [subprocess.Popen([FLASK, "--app", "wsgi", "scheduler", "--run", "all", "--now", moment],
                                      cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        outputs = [p.communicate(timeout=120) for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], [err[-2000:] for _, err in outputs]
        outcomes = Counter()
        for out, _ in outputs:
            for line in out.splitlines():
                name, rest = line.split(": ", 1)
                outcomes[(name, rest.split(" (")[0])] += 1
        for name in JOBS:
            assert outcomes[(name, runner.RAN)] == 1, outcomes
            assert outcomes[(name, runner.DONE)] + outcomes[(name, runner.BUSY)] == 2, outcomes

        engine = create_engine(url)
        with engine.connect() as connection:
            runs = connection.execute(select(JobRun.job, JobRun.period, JobRun.finished_at)).all()
            reminders = connection.execute(select(Reminder.user_id, Reminder.dedupe_key,
                                                  Reminder.emailed_at)).all()
        engine.dispose()
        assert sorted((job, period) for job, period, _ in runs) == sorted(
            [("attendance_reminders", "2026-11-03"), ("deadline_reminders", "2026-11-03"),
             ("purge_personal_data", "2026-11-03"), ("registrant_reminders", "2026-11-03"),
                 ("send_emails", "2026-11-03T01:00")])
        assert all(finished is not None for *_, finished in runs)
        assert len(reminders) == 4  # three editors whose year is not submitted, and the officer
        assert all(emailed is not None for *_, emailed in reminders)
        recipients = Counter(tuple(m["to"]) for m in sink.messages)
        assert len(sink.messages) == len(reminders)
        assert all(count == 1 for count in recipients.values()), recipients


def test_the_foreground_scheduler_stops_cleanly_on_sigterm(tmp_path):
    with private_postgres("fg") as url:
        env = app_env(url, tmp_path / "instance")
        flask(env, "db", "upgrade")
        with subprocess.Popen([FLASK, "--app", "wsgi", "scheduler"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            try:
                first = process.stdout.readline()
                assert first.startswith("scheduler: 5 jobs in Asia/Ho_Chi_Minh"), first
                engine = create_engine(url)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:  # send_emails catches up at start
                    with engine.connect() as connection:
                        if connection.scalar(select(func.count(JobRun.id)).where(JobRun.job == "send_emails")):
                            break
                    time.sleep(0.3)
                else:
                    pytest.fail("the scheduler ran nothing at start")
                engine.dispose()
                process.send_signal(signal.SIGTERM)
                assert process.wait(timeout=30) == 0
            finally:
                if process.poll() is None:
                    process.kill()
                process.communicate()


def test_flask_run_starts_the_scheduler_in_process_and_flask_commands_do_not(tmp_path):
    """`make run` (flask run, SCHEDULER_ENABLED on by default in development) runs the jobs in-process."""
    database = tmp_path / "dev.db"
    env = app_env(f"sqlite:///{database}", tmp_path / "instance")
    env.pop("SCHEDULER_ENABLED")
    flask(env, "db", "upgrade")
    flask(env, "users", "create", "admin@example.org", "--role", "admin", "--password", "a long password here")
    engine = create_engine(f"sqlite:///{database}")

    def runs():
        with engine.connect() as connection:
            return connection.scalar(select(func.count(JobRun.id)))
    assert runs() == 0  # other commands build the app without starting the scheduler
    port = socket_port()
    with subprocess.Popen([FLASK, "--app", "wsgi", "run", "--port", str(port)], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as server:
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not runs():  # send_emails catches up at start
                assert server.poll() is None
                time.sleep(0.3)
            assert runs() >= 1
        finally:
            server.terminate()
            output = server.communicate(timeout=30)[0]
    engine.dispose()
    assert "Scheduler running in this process" in output


def socket_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
