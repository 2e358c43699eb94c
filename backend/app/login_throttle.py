"""A limit on failed logins per account, so passwords cannot be guessed at full speed.

In-process only: each gunicorn worker and each replica counts on its own, so
the real limit is MAX_FAILURES times their number. That is enough to stop a
client hammering an account; an exact limit would need a shared store.

Keyed on the account, not the client address: behind the ingress every
request comes from the proxy, so a per-address limit would lock out everyone.
The cost is that anyone can hold an account's logins back for one window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        # The last MAX_FAILURES failure times per account. Ordered by latest
        # failure, so accounts whose failures have all expired sit at the front.
        self._failures: dict[str, deque[float]] = {}

    def attempt(self, account: str) -> int | None:
        """Seconds to wait if ``account`` is over the limit; else None, and the attempt counts.

        The attempt counts as a failure before the password is checked (until
        ``succeeded``), so parallel guesses cannot all pass this check first.
        """
        now = self.clock()
        cutoff = now - WINDOW_SECONDS
        with self._lock:
            # Forget expired accounts, so memory holds one window's failures at most.
            while self._failures:
                oldest = next(iter(self._failures))
                if self._failures[oldest][-1] > cutoff:
                    break
                del self._failures[oldest]
            times = self._failures.get(account)
            if times is not None and len(times) == MAX_FAILURES and times[0] > cutoff:
                return math.ceil(times[0] - cutoff)
            # Re-inserted, so the account moves to the back: it has the latest failure.
            times = self._failures.pop(account, None) or deque(maxlen=MAX_FAILURES)
            times.append(now)
            self._failures[account] = times
            return None

    def succeeded(self, account: str) -> None:
        with self._lock:
            self._failures.pop(account, None)
