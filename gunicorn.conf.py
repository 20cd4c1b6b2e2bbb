"""Gunicorn settings, all overridable from the environment (the container's only entry point:
`gunicorn --config gunicorn.conf.py config.wsgi:application`).

Database connections per web pod = WEB_CONCURRENCY x GUNICORN_THREADS (each thread keeps its own
connection for DB_CONN_MAX_AGE seconds); size PostgreSQL's max_connections (or a pooler) for
replicas x that."""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak cannot grow forever; jitter avoids all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
preload_app = _bool("GUNICORN_PRELOAD", False)
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers (and may be read-only).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Trust X-Forwarded-* only from the proxy in front of us (comma-separated IPs, "*" inside a private network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The control socket lives in $HOME by default: read-only in the container, and shared by two servers on
# one machine. Nothing of ours uses it.
control_socket_disable = not _bool("GUNICORN_CONTROL_SOCKET", False)

loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-" if _bool("GUNICORN_ACCESS_LOG", True) else None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'

if _bool("LOG_JSON", True):
    try:
        import pythonjsonlogger.json  # noqa: F401  (installed from requirements/production.txt)
    except ImportError:  # a development checkout without the production requirements: plain logs
        pass
    else:
        logconfig_dict = {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "pythonjsonlogger.json.JsonFormatter",
                    "fmt": ["asctime", "levelname", "name", "message"],
                    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                }
            },
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "formatter": "json",
                    "stream": "ext://sys.stdout",
                }
            },
            "loggers": {
                "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
                "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
            },
        }
