#!/usr/bin/env python3
"""Many kept-alive connections opened at once against the mock server (BENCHMARKS.md, "The
mock server on hyper").

    scripts/mock-connections.py [--mock BINARY] [--connections N] [--timeout SECONDS]

Starts BINARY (default: target/release/droplet-action-mock, built first with cargo) on a free
port. N threads (default 1000) each open a connection (Python's http.client) at the same
moment, send a GET for the documented action, and time their first answer; every connection
stays open until all have theirs, then each sends a second request on it. Prints how many
first answers came, how many within one second, and the wait at the median, the 99th
percentile and the longest. A connection with no answer after SECONDS (default 10) counts as
not answered. Exits 1 unless every connection had both answers, the first within a second.
Loopback only.
"""

import argparse
import http.client
import pathlib
import re
import resource
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PATH = "/v2/droplets/3164444/actions/36804636"
HEADERS = {"Authorization": "Bearer mock-token"}


def start(binary):
    mock = subprocess.Popen([str(binary), "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = mock.stdout.readline()
    match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
    if not match:
        mock.kill()
        raise SystemExit(f"unexpected first line {line!r}")
    return mock, int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mock", type=pathlib.Path)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    binary = args.mock
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "droplet-action-mock"],
                       cwd=ROOT, check=True)
        binary = ROOT / "target" / "release" / "droplet-action-mock"
    # Two descriptors a connection in this process, and the mock's own for the mock.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * args.connections + 64
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    mock, port = start(binary)
    n = args.connections
    go = threading.Barrier(n)
    all_first = threading.Barrier(n, timeout=args.timeout * 3)
    waits = [None] * n
    seconds = [False] * n

    def client(i):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout)
        try:
            go.wait()
            sent = time.monotonic()
            try:
                connection.request("GET", PATH, headers=HEADERS)
                answer = connection.getresponse()
                answer.read()
                if answer.status == 200:
                    waits[i] = time.monotonic() - sent
            except OSError:
                pass
            try:
                all_first.wait()
            except threading.BrokenBarrierError:
                return
            if waits[i] is not None:
                try:
                    connection.request("GET", PATH, headers=HEADERS)
                    answer = connection.getresponse()
                    answer.read()
                    seconds[i] = answer.status == 200
                except OSError:
                    pass
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        mock.terminate()
        mock.wait()
    answered = sorted(w for w in waits if w is not None)
    within = sum(1 for w in answered if w <= 1.0)
    print(f"{n} connections opened at once: {len(answered)} first answers, "
          f"{within} within 1 s, {sum(seconds)} second answers on the same connections")
    if answered:
        def at(q):
            return answered[min(len(answered) - 1, int(q * len(answered)))] * 1000
        print(f"wait for the first answer: median {at(0.5):.1f} ms, 99th percentile "
              f"{at(0.99):.1f} ms, longest {answered[-1] * 1000:.1f} ms")
    return 0 if within == n and all(seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
