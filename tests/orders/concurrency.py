"""Running checkouts at the same moment in real threads, each on its own connection."""

import threading

from django.db import connections


def run_in_threads(count, target):
    """Start `count` threads at once; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def work(index):
        try:
            barrier.wait(timeout=30)
            results[index] = target(index)
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    return results
