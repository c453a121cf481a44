"""The process types as the image and the Procfile start them (deploy/entrypoint.sh): web
processes starting together migrate once and serve; `honcho start` keeps everything running."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.db.migrations.loader import MigrationLoader

from tests.conftest import ROOT
from tests.ops.conftest import answers, free_port, wait_until

ENTRYPOINT = str(ROOT / "deploy" / "entrypoint.sh")
VENV_BIN = str(Path(sys.executable).parent)


def production_env(worker_env, **extra):
    """Production settings over plain http on loopback, with the virtualenv on the PATH as the
    image has it."""
    return {
        **worker_env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_HTTPS": "false",
        "SHOP_ALLOW_TEST_PAYMENTS": "true",
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        **extra,
    }


def worker_processes(master_pid):
    return [
        path.parent.name
        for path in Path("/proc").glob("[0-9]*/stat")
        if path.exists() and path.read_text().split(") ")[-1].split()[1] == str(master_pid)
    ]


def healthcheck(port):
    env = {"PATH": os.environ["PATH"], "PORT": str(port)}
    return subprocess.run(
        [sys.executable, "deploy/healthcheck.py"], cwd=ROOT, env=env, capture_output=True
    ).returncode


@pytest.mark.django_db(transaction=True)
def test_web_processes_starting_together_migrate_once_then_serve(
    worker_env, scratch_database, processes
):
    # given two web processes started at once on an empty database, as two containers are
    env = production_env(worker_env, DATABASE_URL=scratch_database, WEB_CONCURRENCY="2")
    ports = [free_port(), free_port()]
    webs = [
        processes.start([ENTRYPOINT, "web"], env={**env, "PORT": str(port)}, name="web")
        for port in ports
    ]

    # then both serve once the database is migrated
    for web, port in zip(webs, ports, strict=True):
        wait_until(
            lambda port=port: answers(f"http://127.0.0.1:{port}/healthz"),
            timeout=120,
            message=f"web on {port}\n{web.output()}",
        )
    with psycopg.connect(scratch_database) as database:
        recorded = database.execute("SELECT app, name FROM django_migrations").fetchall()
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    assert sorted(recorded) == sorted(known)  # each applied, and recorded, exactly once
    for web in webs:
        assert "Error" not in web.output()
        # the entry point became gunicorn, with the WEB_CONCURRENCY workers
        assert len(worker_processes(web.pid)) == 2
    # and the container's health check sees it
    assert healthcheck(ports[0]) == 0
    assert healthcheck(free_port()) == 1


@pytest.mark.django_db(transaction=True)
def test_release_migrates_and_exits_outside_honcho(worker_env, scratch_database):
    # A platform's release phase waits for the process to end; only honcho keeps it idle.
    env = production_env(worker_env, DATABASE_URL=scratch_database)
    env.pop("HONCHO_PROCESS_NAME", None)

    result = subprocess.run(
        [ENTRYPOINT, "release"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    with psycopg.connect(scratch_database) as database:
        recorded = database.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert recorded == len(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def test_other_commands_run_as_given(tmp_path):
    result = subprocess.run(
        [ENTRYPOINT, "python", "-c", "print('as given')"],
        cwd=ROOT,
        env={"PATH": f"{VENV_BIN}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (result.returncode, result.stdout) == (0, "as given\n")


@pytest.mark.django_db(transaction=True)
def test_honcho_start_runs_web_worker_and_beat_and_keeps_running(
    worker_env, redis_url, processes, tmp_path
):
    redis.Redis.from_url(redis_url).flushdb()
    port = free_port()
    empty_env_file = tmp_path / "no.env"
    empty_env_file.write_text("")
    env = production_env(worker_env, WEB_CONCURRENCY="1", WORKER_CONCURRENCY="1")

    honcho = processes.start(
        [f"{VENV_BIN}/honcho", "start", "--port", str(port), "--env", str(empty_env_file)],
        env=env,
        name="honcho",
    )

    wait_until(
        lambda: answers(f"http://127.0.0.1:{port}/healthz"),
        timeout=120,
        message=f"web\n{honcho.output()}",
    )
    # Generous: a loaded machine starts a worker and beat slowly.
    wait_until(
        lambda: "ready." in honcho.output(), timeout=120, message=f"worker\n{honcho.output()}"
    )
    wait_until(
        lambda: "holds the beat lock" in honcho.output(),
        timeout=120,
        message=f"beat\n{honcho.output()}",
    )
    # Nothing exited on its own by then: `release` migrates and idles under honcho (it used to
    # exit within seconds, and honcho stopped the others with it).
    wait_until(
        lambda: "release.1" in honcho.output(), timeout=120, message=f"release\n{honcho.output()}"
    )
    time.sleep(3)
    assert honcho.running(), honcho.output()
    assert "stopped (rc=" not in honcho.output()
    honcho.stop()
    assert honcho.output().count("stopped (rc=") == 4  # and it stops them all on request
