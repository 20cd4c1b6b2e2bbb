"""The stream server as the container runs it (`uvicorn config.asgi:application`), next to the scale-out
tests' gunicorn, both on this run's PostgreSQL and Redis."""

import sys

from tests.scaleout.servers import Gunicorn, production_env


class Uvicorn(Gunicorn):
    """`with Uvicorn(env=...) as stream:` serves config.asgi on an ephemeral port until the block ends."""

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "2",
        ]


def plain_http_env(**extra: str) -> dict[str, str]:
    """Production settings over plain HTTP on loopback (a browser cannot add the proxy's X-Forwarded-Proto)."""
    return production_env(DJANGO_SECURE_SSL_REDIRECT="0", **extra)
