"""Give big buffers back to the system as soon as they are freed (glibc malloc).

A crawl holds a multi-megabyte page for a moment: its body, its text, its parsed tree.
glibc serves such blocks with mmap and unmaps them on free, but after the first one is freed
it raises its mmap threshold (up to 32 MiB) and serves the next ones from the heap, where
freed memory stays resident. Pinning the threshold keeps a crawl that met one huge page as
small as one that did not. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 256 * 1024
TRIM_THRESHOLD_BYTES = 4 * 1024 * 1024


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018  (glibc only)
    except (OSError, AttributeError):
        return None
    return libc


def pin_malloc_thresholds() -> bool:
    """Blocks of 256 KiB and more mmapped (returned on free); True if glibc took it."""
    libc = _libc()
    if libc is None:
        return False
    mmap_ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    trim_ok = libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    return bool(mmap_ok and trim_ok)


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (after a huge page was processed)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
