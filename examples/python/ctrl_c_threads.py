#!/usr/bin/env python3
"""Ctrl-C for calls on other threads: one CancelToken, cancelled by a SIGINT handler.

Python runs signal handlers on the main thread only, so Ctrl-C ends a call made on the main
thread by itself, but never a call running on another thread. This program waits for
several actions on a pool of threads, all holding one token; its SIGINT handler cancels the
token, and every wait ends within about 20 ms with ``CancelledError``.

    DIGITALOCEAN_ACCESS_TOKEN=... python3 ctrl_c_threads.py 3164444:36804636 3164444:36804637

Each argument is DROPLET_ID:ACTION_ID. Prints one line per action, then exits with 130
(as a shell does after Ctrl-C) when it was interrupted, else 0.
"""

import concurrent.futures
import signal
import sys

import droplet_action as da


def main(arguments: list) -> int:
    refs = [tuple(int(part) for part in argument.split(":")) for argument in arguments]
    cancel = da.CancelToken()
    # The handler runs on the main thread while it waits below: cancelling is all it does.
    signal.signal(signal.SIGINT, lambda signum, frame: cancel.cancel())
    with da.Client.from_env() as client:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(refs)) as pool:
            futures = [
                pool.submit(client.wait, droplet_id, action_id, cancel=cancel)
                for droplet_id, action_id in refs
            ]
            print(f"waiting for {len(refs)} action(s); Ctrl-C cancels them", flush=True)
            for (droplet_id, action_id), future in zip(refs, futures):
                try:
                    action = future.result()
                    print(f"{droplet_id}:{action_id} {action.status_text}")
                except da.CancelledError as error:
                    last = error.last.status_text if error.last else "nothing seen"
                    print(f"{droplet_id}:{action_id} cancelled (last seen: {last})")
                except da.Error as error:
                    print(f"{droplet_id}:{action_id} {type(error).__name__}: {error}")
    return 130 if cancel.cancelled else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
