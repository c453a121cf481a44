#!/bin/sh
# Starts one process of the shop: the container image's entry point, and what the Procfile runs.
#
#   entrypoint.sh web       migrate (under a lock, see ops/management/commands/migrate.py), then gunicorn
#   entrypoint.sh worker    the Celery worker
#   entrypoint.sh beat      Celery beat (only the beat holding the beat lock schedules)
#   entrypoint.sh release   migrate only, e.g. as a one-off before a deploy; under `honcho start`
#                           it then waits, since honcho stops every process when one exits
#   entrypoint.sh CMD ...   any other command, e.g. python manage.py createsuperuser
set -eu

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    exec gunicorn config.wsgi --config python:config.gunicorn
    ;;
  worker)
    exec celery -A config worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}"
    ;;
  release)
    python manage.py migrate --noinput
    if [ -n "${HONCHO_PROCESS_NAME:-}" ]; then
      # honcho (which sets HONCHO_PROCESS_NAME) would take web, worker and beat down with an
      # exiting release process; elsewhere (a platform's release phase) it must exit.
      trap 'exit 0' INT TERM
      while :; do sleep 3600 & wait $!; done
    fi
    ;;
  *)
    exec "$@"
    ;;
esac
