import socket

import pytest
from aiosmtpd.controller import Controller

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="ada@example.com", full_name="Ada Lovelace")


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


class LoopbackSMTPServer:
    """An SMTP server on loopback that answers "451 try again" to the first `failures`
    messages and accepts the rest."""

    def __init__(self, failures):
        self.failures = failures
        self.attempts = 0
        self.delivered = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.failures:
            return "451 Temporary failure, try again later"
        self.delivered.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """Factory for SMTP servers on loopback; all are stopped at teardown."""
    servers = []

    def start(failures=0):
        server = LoopbackSMTPServer(failures)
        server.controller.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.controller.stop()
