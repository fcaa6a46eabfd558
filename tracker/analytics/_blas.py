"""Run small linear algebra on one BLAS thread.

The matrices here are small (about 200 parties); a multi-threaded BLAS on a busy 2-core
machine spends far more time synchronising threads than computing (an SVD measured 60 ms on
one thread and 7 s on several under load), so analytics entry points pin BLAS to one thread.
"""

from __future__ import annotations

import contextlib

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
    threadpool_limits = None


def single_thread():
    if threadpool_limits is None:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")
