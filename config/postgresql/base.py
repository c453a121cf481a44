"""Django's PostgreSQL backend, failing fast for a moment after the database was unreachable.

After a failed connection attempt this process does not try that database again for
`SKIP_AFTER_FAILURE_SECONDS` and raises at once instead: while the database is down, and
especially while it is unreachable (a host that drops packets keeps libpq waiting its whole
`connect_timeout`), each request gets the styled 503 (config/errors.py) right away instead of
after a wait that ties up a web worker. Everything else is Django's backend.
"""

from django.db.backends.postgresql import base

from config.circuit import Circuit

SKIP_AFTER_FAILURE_SECONDS = 5
_circuits = {}


class DatabaseWrapper(base.DatabaseWrapper):
    def _circuit(self):
        settings = self.settings_dict
        key = (settings["HOST"], settings["PORT"], settings["NAME"])
        return _circuits.setdefault(key, Circuit(SKIP_AFTER_FAILURE_SECONDS))

    def get_new_connection(self, conn_params):
        circuit = self._circuit()
        if circuit.is_open():
            raise base.Database.OperationalError(
                "The database was unreachable moments ago; not tried again yet."
            )
        try:
            return super().get_new_connection(conn_params)
        except base.Database.OperationalError:
            circuit.trip()
            raise
