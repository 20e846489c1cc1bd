#!/usr/bin/python3
"""websockets_broadcast.py: a broadcast server on Python's `websockets`
package (Debian python3-websockets), a peer for chatd's benchmark
(tests/bench/run.sh).

Every message from any client goes to every connected client, the sender
included: one lobby, nothing else. It uses websockets.broadcast(), the
library's own fan-out, which writes to each connection without waiting for
it. Left out on purpose: compression (chatd offers none), authentication,
rooms.

Usage: python3 websockets_broadcast.py PORT
"""
import asyncio
import logging
import signal
import sys

import websockets

CLIENTS = set()


async def handle(websocket, path=None):
    CLIENTS.add(websocket)
    try:
        async for message in websocket:
            websockets.broadcast(CLIENTS, message)
    except websockets.ConnectionClosed:
        pass
    finally:
        CLIENTS.discard(websocket)


async def serve(port):
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # backlog matches chatd's listen(fd, 4096); max_size its default --max-message.
    async with websockets.serve(handle, "127.0.0.1", port, backlog=4096,
                                compression=None, max_size=64 * 1024):
        print(f"websockets broadcast listening on 127.0.0.1:{port}", flush=True)
        await stop


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: websockets_broadcast.py PORT")
    # When the load generator hangs up with a backlog still queued, asyncio
    # warns once per write to each dead socket: millions of lines, no news.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    asyncio.run(serve(int(sys.argv[1])))
