"""Celery beat runs at most once: of two beat processes only one sends the sweeps, and the
other takes over when that one dies."""

import signal
import sys

import pytest
import redis

from tests.ops.conftest import wait_until

SENT = "Sending due task"


@pytest.fixture
def start_beat(worker_env, processes, tmp_path, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    env = {**worker_env, "DJANGO_SETTINGS_MODULE": "tests.ops.beat_settings"}

    def start(name):
        command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
        command += ["--schedule", str(tmp_path / f"{name}-schedule")]
        return processes.start(command, env=env, name=name)

    return start


@pytest.mark.django_db(transaction=True)
def test_two_beats_never_both_send_the_sweeps(start_beat):
    # given a beat that holds the lock and sends the sweeps every second
    first = start_beat("first")
    wait_until(lambda: SENT in first.output(), message=f"the first beat\n{first.output()}")

    # when a second beat starts
    second = start_beat("second")
    wait_until(
        lambda: "standing by" in second.output(), message=f"the second beat\n{second.output()}"
    )
    sent_so_far = first.output().count(SENT)
    wait_until(
        lambda: first.output().count(SENT) >= sent_so_far + 6,
        message="the first beat to go on sending",
    )

    # then only the first one sent anything, while both ran
    assert second.running()
    assert SENT not in second.output()

    # and when the first one dies without a word, the second takes over
    first.stop(signal.SIGKILL)
    wait_until(
        lambda: SENT in second.output(), message=f"the second beat to take over\n{second.output()}"
    )
    assert "holds the beat lock" in second.output()
