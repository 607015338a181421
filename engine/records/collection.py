"""Python's cycle collector paused while a batch of records is written.

A batch of a thousand records allocates hundreds of thousands of small dicts and lists, all
freed by reference counting when the batch ends; each time their count crosses the
collector's threshold it walks every tracked object of the process (the compiled catalog and
the database layer included), about an eighth of a bulk load's time. The pause covers one
call, nested or concurrent calls share it, and the collector runs as usual afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK = 200  # records in one call from which the pause pays

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collection_paused(items: int) -> Iterator[None]:
    """Pause the cycle collector for a batch of `items` records (a small one is left alone)."""
    global _holders, _was_enabled
    if items < BULK:
        yield
        return
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
