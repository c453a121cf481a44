"""Fixtures for the operations tests: real processes (gunicorn, honcho, celery beat, nginx),
scratch databases and an S3 API on loopback."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.conftest import ROOT


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None, method="GET", data=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until(condition, *, timeout=60, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


def answers(url, headers=None):
    try:
        return fetch(url, headers)[0] == 200
    except OSError:
        return False


class Process:
    """A child process in its own session, its output in a log file; stopped at teardown."""

    def __init__(self, command, *, env, log_path, cwd=ROOT):
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - open while the process runs
        self.popen = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self):
        return self.popen.pid

    def output(self):
        return self.log_path.read_text(errors="replace")

    def running(self):
        return self.popen.poll() is None

    def send(self, sig):
        if self.running():
            os.killpg(self.popen.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.send(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.log.close()
        return self.popen.returncode


@pytest.fixture
def processes(tmp_path):
    """Start processes with `processes.start(command, env=...)`; all are stopped at teardown."""

    class Processes(list):
        def start(self, command, *, env, name="process"):
            process = Process(command, env=env, log_path=tmp_path / f"{name}-{len(self)}.log")
            self.append(process)
            return process

    started = Processes()
    yield started
    for process in started:
        if process.running():
            # SIGINT: a quick stop for gunicorn and nginx; honcho stops its own children
            # (they run in sessions of their own) on it too.
            process.stop(signal.SIGINT)


def database_url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def scratch_database(postgres):
    """The URL of a new, empty PostgreSQL database, dropped at teardown."""
    name = f"{connection.settings_dict['NAME']}_scratch_{secrets.token_hex(4)}"
    db = connection.settings_dict
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield database_url(name)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        admin.execute(drop.format(sql.Identifier(name)))
