#!/usr/bin/env python3
"""A binding that does its own non-blocking I/O: one hundred requests at once, on one thread.

asyncio streams carry the bytes, h11 speaks HTTP/1.1, and the library's sans-IO functions
do the rest: droplet_action.sansio.build_request makes each request, parse_response reads
each answer into an Action (or the same exception Client.get raises), and retry_advice says
when to send a refused request again. Nothing here blocks, and no thread is started.

    pip install h11 droplet-action
    DIGITALOCEAN_ACCESS_TOKEN=mock-token DIGITALOCEAN_API_URL=http://127.0.0.1:PORT \\
        python3 asyncio_sansio.py

Run it against the bundled mock server (droplet-action-mock --port 0): of the hundred
requests, 90 ask for the documented action, 5 for an action the mock refuses once with 429
and `retry-after: 1`, and 5 for an action that does not exist.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sys
import threading
import urllib.parse
from typing import List, Tuple, Union

import h11

import droplet_action as da
from droplet_action import sansio

# More than the library accepts: parse_response then says BodyTooLargeError.
BODY_LIMIT = 4 * 1024 * 1024 + 1

Answer = Tuple[int, List[Tuple[bytes, bytes]], bytes]


async def exchange(url: str, method: str, headers: List[Tuple[str, str]]) -> Answer:
    """Sends one request on a new connection and reads the whole answer."""
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "https"
    reader, writer = await asyncio.open_connection(
        parts.hostname, parts.port or (443 if secure else 80), ssl=secure or None
    )
    try:
        connection = h11.Connection(h11.CLIENT)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        request = h11.Request(method=method, target=target, headers=[("host", parts.netloc), *headers])
        writer.write(connection.send(request) + connection.send(h11.EndOfMessage()))
        await writer.drain()
        status, answer_headers, body = 0, [], bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status, answer_headers = event.status_code, list(event.headers)
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) >= BODY_LIMIT:
                    break
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                break
        return status, answer_headers, bytes(body)
    finally:
        writer.close()
        await writer.wait_closed()


async def retrieve(
    base_url: str, token: str, droplet_id: int, action_id: int
) -> Tuple[Union[da.Action, da.Error], int]:
    """One action, retried as the library advises; the outcome and the attempts made."""
    method, url, headers = sansio.build_request(base_url, token, droplet_id, action_id)
    attempt = 1
    while True:
        status, answer_headers, body = await exchange(url, method, headers)
        try:
            return sansio.parse_response(status, answer_headers, body), attempt
        except da.Error as error:
            pause = sansio.retry_advice(status, answer_headers, attempt)
            if pause is None:
                return error, attempt
        await asyncio.sleep(pause)
        attempt += 1


async def main() -> int:
    token = os.environ.get("DIGITALOCEAN_ACCESS_TOKEN") or os.environ.get("DIGITALOCEAN_TOKEN")
    if not token:
        print("set DIGITALOCEAN_ACCESS_TOKEN (and DIGITALOCEAN_API_URL)", file=sys.stderr)
        return 2
    base_url = os.environ.get("DIGITALOCEAN_API_URL", "https://api.digitalocean.com")
    ids = [(3164444, 36804636)] * 90 + [(d, 900429) for d in range(1, 6)] + [(1, 1)] * 5
    outcomes = await asyncio.gather(*(retrieve(base_url, token, d, a) for d, a in ids))

    tally: collections.Counter[str] = collections.Counter()
    for outcome, attempts in outcomes:
        if isinstance(outcome, da.Action):
            tally[f"{outcome.status.value} after {attempts} attempt(s)"] += 1
        else:
            tally[f"{type(outcome).__name__} {outcome.http_status} {outcome.error_id}"] += 1
    print(f"{len(ids)} requests on {threading.active_count()} thread(s)")
    for line, count in sorted(tally.items()):
        print(f"{count:3} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
