"""Two transactions at once: a worker thread writes on its own connection and keeps its transaction open
until the test releases it (races of locks and of what other connections see)."""
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
# Threads open their own connections and commit for real.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)
WAIT = 10  # seconds: a thread that waits longer than this is stuck


class Worker(threading.Thread):
    """Runs `body` in a transaction on its own connection; keeps the transaction open until released."""

    def __init__(self, body, hold=False):
        super().__init__(daemon=True)
        self.body, self.hold = body, hold
        self.inside = threading.Event()   # the body ran, the transaction is still open
        self.release = threading.Event()
        self.result = self.error = None

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '20s'")
                self.result = self.body()
                self.inside.set()
                if self.hold:
                    self.release.wait(WAIT)
        except Exception as error:  # noqa: BLE001 - handed to the test
            self.error = error
        finally:
            self.inside.set()
            connection.close()

    def finish(self):
        self.release.set()
        self.join(WAIT)
        assert not self.is_alive(), "a worker is stuck"
