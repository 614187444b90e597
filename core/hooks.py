"""Hooks: how a lower app announces something that an app above it acts on.

Apps sit in layers (docs/architecture.md) and import only downwards. When a lower app's work
must cause something in an app above it (the sync brings in a UC award, and support needs
recompute; a Six Point Plan is recorded, and ACS opens a referral), the lower app defines a Hook
and announces on it; the upper app connects its handler in its AppConfig.ready(). The lower app
never learns who listens.

Handlers run synchronously, in the announcer's transaction and in the order connected, so a
failure rolls the whole write back, as a direct call would. A handler that should run later
queues a Celery task with transaction.on_commit itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(eq=False)
class Hook[Payload, Result]:
    """A named point in a lower app; `doc` says what is announced and when.

    Most hooks only announce: Hook[Payload, None]. A hook whose announcer needs an answer (the
    id of the ACS referral a Six Point Plan caused, say) declares a Result type; announce
    returns every handler's answer, in order.
    """

    name: str
    doc: str
    _handlers: list[Callable[[Payload], Result]] = field(default_factory=list, repr=False)

    def connect(self, handler: Callable[[Payload], Result]) -> None:
        """Run `handler` on every announcement. Connecting the same handler twice is a no-op
        (AppConfig.ready() can run more than once in tests)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def announce(self, payload: Payload) -> list[Result]:
        return [handler(payload) for handler in list(self._handlers)]

    @property
    def handlers(self) -> tuple[Callable[[Payload], Result], ...]:
        return tuple(self._handlers)
