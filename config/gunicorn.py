"""gunicorn settings for the `web` process (`gunicorn --config python:config.gunicorn`).

Everything an operator tunes comes from the environment: `PORT` (default 8000),
`WEB_CONCURRENCY` (worker processes; default two per CPU core plus one, gunicorn's own rule of
thumb, so set it in containers, which see all of the host's cores) and `GUNICORN_TIMEOUT`.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.process_cpu_count() or 1) + 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # a deploy or scale-down lets requests in progress finish
keepalive = 5  # nginx keeps connections to the web containers open between requests
# Recycle workers now and then, so slow memory growth never piles up (jittered, so they
# do not all restart at once).
max_requests = 2000
max_requests_jitter = 200
# The shop logs each request itself (config/logging.py), as JSON with its request id.
accesslog = None
errorlog = "-"
# The workers' heartbeat files in memory: on a container's overlay filesystem the heartbeat
# can stall and get healthy workers killed (gunicorn's docs advise this for Docker).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own files, created by gunicorn
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
