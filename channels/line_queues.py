"""Per-chat ordering for the LINE channel: the webhook answers LINE at once and the work runs in
background tasks, one ordered queue per chat (events of one chat one at a time, in arrival order;
different chats concurrently)."""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class ChatQueues:
    """One FIFO of jobs per chat, drained by one worker task while the queue exists."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[tuple[Job, str]]] = {}
        # Strong references: the event loop keeps only weak ones to running tasks.
        self._tasks: set[asyncio.Task[None]] = set()

    def put(self, chat: str, job: Job, what: str) -> None:
        """Queues `job` behind the chat's earlier jobs; `what` names it in the log if it fails.

        Synchronous, so queue order = call order."""
        queue = self._queues.get(chat)
        if queue is not None:
            queue.append((job, what))
            return
        self._queues[chat] = deque([(job, what)])
        task = asyncio.ensure_future(self._drain(chat))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    async def _drain(self, chat: str) -> None:
        queue = self._queues[chat]
        try:
            while queue:
                job, what = queue.popleft()
                try:
                    await job()
                except Exception:
                    logger.exception("Failed to handle %s.", what)
        finally:
            del self._queues[chat]

    def _task_done(self, task: "asyncio.Task[None]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("LINE event worker failed.", exc_info=task.exception())

    async def wait_idle(self, timeout: float) -> None:
        """Waits until every queued job has run; asyncio.TimeoutError after `timeout` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise asyncio.TimeoutError("LINE events still being handled")
            await asyncio.wait(set(self._tasks), timeout=remaining)

    async def finish(self, grace: float) -> None:
        """Lets running and queued jobs finish, for at most `grace` seconds."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
