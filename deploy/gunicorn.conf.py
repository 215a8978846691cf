"""gunicorn settings for one app server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment, so one file serves every server behind the proxy.
App servers keep no state of their own: sessions are signed cookies (same SECRET_KEY everywhere), data
is in PostgreSQL (DATABASE_URL), rate limits in Redis (RATELIMIT_STORAGE_URI) and the scheduled jobs run
in the separate `flask --app wsgi scheduler` process (SCHEDULER_ENABLED is off in production).
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


#: where nginx reaches this server; several servers on one host take different ports
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
#: processes: 2 × cores + 1 is gunicorn's rule of thumb; each holds its own small database pool
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
#: threads per process: requests mostly wait on PostgreSQL, so a few threads raise throughput cheaply
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"
#: a request that takes longer is a bug or an attack (the biggest export takes a few seconds)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
#: nginx keeps connections to the upstream open (keepalive in the upstream block)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
#: recycle workers now and then so that a slow leak never grows
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
#: the app is built in each worker after the fork, so no database connection is ever shared
preload_app = False
#: X-Forwarded-Proto is believed only from the proxy (the app's PROXY_COUNT handles X-Forwarded-For)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "calendar-web")
#: heartbeat files in memory rather than on a possibly slow disk
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
