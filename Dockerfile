# syntax=docker/dockerfile:1
# Ordertrail: one image for every role. The default command serves HTTP with gunicorn; the compose file and
# the Kubernetes manifests run the same image as `celery ... worker`, `celery ... beat` and `manage.py migrate`.
ARG PYTHON_VERSION=3.12

# --- build: resolve and install the pinned production requirements into a virtualenv ---------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/ /tmp/requirements/
# Every dependency ships manylinux wheels (psycopg[binary] bundles libpq), so no compiler is needed.
RUN pip install --no-cache-dir --only-binary=:all: -r /tmp/requirements/production.txt

# --- runtime: the virtualenv, the code and the collected static files; runs as an unprivileged user -------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000
RUN groupadd --system --gid 10001 ordertrail \
    && useradd --system --uid 10001 --gid ordertrail --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin ordertrail
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . .
# Static files are collected at build time, with a throwaway key that exists only in this layer's command:
# production settings refuse to load without one and collectstatic needs no real secret or database.
RUN DJANGO_SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything-0123456789 \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/media /app/private_media \
    && chown ordertrail:ordertrail /app/media /app/private_media
USER 10001:10001
EXPOSE 8000
# Liveness only (no database): /readyz/ is for load balancers and the Kubernetes readiness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz/' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi:application"]
