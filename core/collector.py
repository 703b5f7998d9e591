"""Pausing Python's cyclic garbage collector around bulk work.

A 10,000-figure ingestion allocates hundreds of thousands of short-lived tuples and lists, none in a reference
cycle: each allocation past the collector's threshold starts a collection that walks them all, about 2.5 ms of a
request's 60-80 ms, and now and then a full collection of the whole process (10 ms and more). Reference counting
frees them either way; the collector only finds cycles, and those made meanwhile are found once it runs again.
"""
import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Disable the cyclic collector for the block (or the decorated call), then re-enable it if it was enabled
    before. It is process-wide: a block entered while another runs leaves re-enabling to the one that disabled it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
