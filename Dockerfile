# syntax=docker/dockerfile:1
# The shop's container images (README, "Running the production-like stack"):
#   docker build -t shop .                     the app: web, worker, beat (deploy/entrypoint.sh)
#   docker build --target nginx -t shop-nginx .  nginx with the collected static files built in

# Build: a virtual environment with the runtime dependencies, and the collected static files.
FROM python:3.13-slim-trixie AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt .
# Only the runtime section of requirements.txt: the test tools stay out of the image.
RUN sed '/^# Development and tests/,$d' requirements.txt > /tmp/runtime-requirements.txt \
    && python -m venv /opt/venv \
    && /opt/venv/bin/pip install -r /tmp/runtime-requirements.txt
COPY . .
# Hashed, compressed (gzip and brotli) static files; the key only lets settings load here.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-0123456789abcdef \
    ALLOWED_HOSTS=build DJANGO_READ_DOT_ENV=false \
    /opt/venv/bin/python manage.py collectstatic --noinput --verbosity 0

# nginx in front: serves /static/ from its own copy of the same files, /media/ from the volume.
FROM nginx:1.30 AS nginx
COPY --from=build /app/staticfiles /srv/static
COPY deploy/nginx/templates /etc/nginx/templates

# The app, run as an unprivileged user.
FROM python:3.13-slim-trixie AS app
# pg_dump / pg_restore for backups and the restore drill (manage.py verify_backup); Pango and
# a font for WeasyPrint, which renders invoices and credit notes as PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 shop \
    && useradd --system --uid 10001 --gid shop --home-dir /app --shell /usr/sbin/nologin shop
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_READ_DOT_ENV=false \
    PORT=8000
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
# Uploaded media (when not on object storage) is the only place the app writes to.
RUN mkdir -p /app/media && chown shop:shop /app/media
USER shop
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
