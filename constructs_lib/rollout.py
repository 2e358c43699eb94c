"""Zero-downtime rollouts: no pod leaves before its replacement is ready, and none is cut off mid-request."""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib import _validation as check

# A container's preStop command runs in the app's own image: python:3.12-slim
# (coreutils) and node alpine (busybox) both have /bin/sleep.
SLEEP = "/bin/sleep"


@dataclass(frozen=True, kw_only=True)
class ZeroDowntimeRollout:
    """A rolling update that never takes a ready pod away first, and a graceful stop.

    The Deployment rolls with ``maxUnavailable: 0`` (a new pod must be ready
    before an old one goes). A stopping pod first sleeps ``pre_stop_seconds``
    in its ``preStop`` hook, while the endpoints controller and the ingress
    controller stop sending it traffic, and only then gets SIGTERM; the app's
    own graceful shutdown must fit in what is left of
    ``termination_grace_period_seconds``.

    Attributes:
        pre_stop_seconds: how long a stopping pod keeps serving before SIGTERM, e.g. ``5``.
        termination_grace_period_seconds: the time from the stop to SIGKILL,
            preStop included; it must exceed ``pre_stop_seconds`` plus the
            app's graceful shutdown (for the backend, gunicorn's ``graceful_timeout``
            in backend/gunicorn.conf.py).
    """

    pre_stop_seconds: int = 5
    termination_grace_period_seconds: int = 45

    def validate(self, owner: str, *, shutdown_seconds: int) -> None:
        check.check_int(owner, "pre_stop_seconds", self.pre_stop_seconds, minimum=1)
        check.check_int(
            owner, "termination_grace_period_seconds", self.termination_grace_period_seconds, minimum=1
        )
        needed = self.pre_stop_seconds + shutdown_seconds
        if self.termination_grace_period_seconds <= needed:
            raise check.fail(
                owner,
                "termination_grace_period_seconds",
                self.termination_grace_period_seconds,
                f"must exceed pre_stop_seconds + the app's graceful shutdown "
                f"({self.pre_stop_seconds} + {shutdown_seconds} = {needed})",
            )

    def pre_stop_command(self) -> list[str]:
        return [SLEEP, str(self.pre_stop_seconds)]
