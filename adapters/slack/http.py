"""One kept-alive HTTP session per event loop, for everything the Slack adapter sends.

An aiohttp session belongs to the loop it was made on, and a Web API client with no session of
its own opens (and, on real Slack, TLS-handshakes) a new connection for every call.
"""

from __future__ import annotations

import asyncio
import weakref

import aiohttp


class PerLoopSession:
    """The running loop's session, made on first use and again after it was closed."""

    def __init__(self) -> None:
        self._by_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, aiohttp.ClientSession] = weakref.WeakKeyDictionary()
        # The last loop asked for and its session: a server runs one loop, and every reply
        # and Web API call asks, so the weak dictionary is consulted only when the loop changes.
        self._last: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = None

    def get(self) -> aiohttp.ClientSession:
        """This loop's session."""
        loop = asyncio.get_running_loop()
        last = self._last
        if last is not None and last[0] is loop and not last[1].closed:
            return last[1]
        session = self._by_loop.get(loop)
        if session is None or session.closed:
            session = self._by_loop[loop] = aiohttp.ClientSession()
        self._last = (loop, session)
        return session

    async def close(self) -> None:
        """Close this loop's session (at shutdown)."""
        loop = asyncio.get_running_loop()
        if self._last is not None and self._last[0] is loop:
            self._last = None
        session = self._by_loop.pop(loop, None)
        if session is not None and not session.closed:
            await session.close()
