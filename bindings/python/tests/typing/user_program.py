"""A program that touches every public name of the package, for ``mypy --strict
--disallow-any-expr``: no type from the package may be ``Any``. It is type-checked, never
run."""

from __future__ import annotations

import asyncio
import datetime
from typing import List, Optional, Tuple, Union

import droplet_action as da
from droplet_action import sansio


def blocking(client: da.Client, token: da.CancelToken) -> None:
    action: da.Action = client.get(1, 2, timeout=1.0, cancel=token)
    identifier: Optional[int] = action.id
    status: Optional[da.ActionStatus] = action.status
    text: Optional[str] = action.status_text
    kind: Optional[str] = action.type
    started: Optional[datetime.datetime] = action.started_at
    completed: Optional[datetime.datetime] = action.completed_at
    resource: Optional[int] = action.resource_id
    resource_type: Optional[str] = action.resource_type
    slug: Optional[str] = action.region_slug
    region: Optional[da.Region] = action.region
    if region is not None:
        names: Tuple[Optional[str], Optional[str]] = (region.slug, region.name)
        sizes: Tuple[str, ...] = region.sizes
        features: Tuple[str, ...] = region.features
        available: Optional[bool] = region.available
        print(names, sizes, features, available)
    done: da.Action = client.wait(
        1, 2, timeout=10.0, poll_interval=1.0, cancel=token, on_poll=progress
    )
    actions: List[da.Action] = client.wait_many([(1, 2), (3, 4)], timeout=10.0)
    mixed: List[Union[da.Action, da.Error]] = client.wait_many(
        [(1, 2)], return_exceptions=True
    )
    for outcome in mixed:
        if isinstance(outcome, da.Error):
            describe(outcome)
    print(identifier, status, text, kind, started, completed, resource, resource_type, slug)
    print(done, actions, client.closed, token.cancelled, da.ActionStatus.COMPLETED.value)
    token.cancel()
    client.close()


def progress(event: da.PollEvent) -> None:
    ids: Tuple[int, int] = (event.droplet_id, event.action_id)
    status: Optional[da.ActionStatus] = event.status
    text: Optional[str] = event.status_text
    http_status: Optional[int] = event.http_status
    counts: Tuple[int, int] = (event.polls, event.requests)
    times: Tuple[float, Optional[float]] = (event.elapsed, event.next_poll_in)
    print(ids, status, text, http_status, counts, times)


def describe(error: da.Error) -> None:
    code: da.Status = error.status
    name: str = error.status.name
    message: str = error.message
    http_status: Optional[int] = error.http_status
    error_id: Optional[str] = error.error_id
    request_id: Optional[str] = error.request_id
    attempts: int = error.attempts
    body: Optional[bytes] = error.raw_body
    limit: Optional[da.RateLimit] = error.rate_limit
    if limit is not None:
        numbers: Tuple[int, int, int] = (limit.limit, limit.remaining, limit.reset)
        reset_at: datetime.datetime = limit.reset_at
        print(numbers, reset_at)
    if isinstance(error, (da.TimeoutError, da.CancelledError, da.RateLimitedError)):
        last: Optional[da.Action] = error.last
        print(last)
    if isinstance(error, da.ActionErroredError):
        errored: da.Action = error.action
        print(errored)
    kinds: Tuple[type, ...] = (
        da.ApiError,
        da.BodyTooLargeError,
        da.DecodeError,
        da.InternalError,
        da.InvalidArgumentError,
        da.TransportError,
    )
    print(code, name, message, http_status, error_id, request_id, attempts, body, kinds)
    print(da.Status.OK, da.Status.TIMEOUT.value)


async def non_blocking() -> None:
    async with da.AsyncClient("token", base_url="http://127.0.0.1:1") as client:
        action: da.Action = await client.get(1, 2, timeout=1.0)
        waited: da.Action = await client.wait(1, 2, timeout=5.0, poll_interval=0.5)
        many: List[da.Action] = await client.wait_many([(1, 2)], on_poll=progress)
        async for event in client.watch(1, 2, timeout=5.0, poll_interval=0.5):
            progress(event)
        mixed: List[Union[da.Action, da.Error]] = await client.wait_many(
            [(1, 2)], return_exceptions=True
        )
        print(action, waited, many, mixed, client.closed)
    other: da.AsyncClient = da.AsyncClient.from_env(timeout=3.0)
    await other.aclose()


def sans_io() -> None:
    method, url, headers = sansio.build_request("https://api.digitalocean.com", "t", 1, 2)
    pairs: List[Tuple[str, str]] = headers
    action: da.Action = sansio.parse_response(200, pairs, b"{}")
    pause: Optional[float] = sansio.retry_advice(
        429, [("retry-after", "1")], 1, max_retries=2, random=7
    )
    print(method, url, action, pause)


def main() -> None:
    version: str = da.library_version()
    package: str = da.__version__
    flushed: bool = da.flush_logs(1.0)
    with da.Client.from_env() as client:
        blocking(client, da.CancelToken())
    with da.Client("token", requests_per_minute=100) as client:
        print(client)
    asyncio.run(non_blocking())
    sans_io()
    print(version, package, flushed)
