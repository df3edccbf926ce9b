#!/usr/bin/env python3
"""One benchmark client in Python, for benches/run.sh.

usage: client.py KIND BASE_URL N
KIND: droplet_action (this project's package), pydo (DigitalOcean's official client) or
requests (a hand-written GET and json()). Makes N sequential calls to the documented action
with one client (one kept-alive connection), checks the id of every answer, and prints
    calls=N wall_s=SECONDS cpu_us_per_call=MICROSECONDS maxrss_kib=KIB
as the C programs of benches/c do: the time and CPU cover the calls only (all threads),
the peak RSS the whole process.
"""

import resource
import sys
import time

TOKEN = "mock-token"
DROPLET = 3164444
ACTION = 36804636


def droplet_action_call(base_url):
    import droplet_action

    client = droplet_action.Client(TOKEN, base_url=base_url)
    return lambda: client.get(DROPLET, ACTION).id


def pydo_call(base_url):
    from pydo import Client

    client = Client(TOKEN, endpoint=base_url)
    # azure-core refuses a bearer token over plain http unless told so; nginx serves http.
    return lambda: client.droplet_actions.get(DROPLET, ACTION, enforce_https=False)["action"]["id"]


def requests_call(base_url):
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"})
    url = f"{base_url}/v2/droplets/{DROPLET}/actions/{ACTION}"

    def call():
        response = session.get(url, timeout=30)
        response.raise_for_status()
        return response.json()["action"]["id"]

    return call


CLIENTS = {"droplet_action": droplet_action_call, "pydo": pydo_call, "requests": requests_call}


def main(argv):
    if len(argv) != 4 or argv[1] not in CLIENTS or not argv[3].isdigit() or int(argv[3]) < 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    calls = int(argv[3])
    call = CLIENTS[argv[1]](argv[2])
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        if call() != ACTION:
            print("wrong action id", file=sys.stderr)
            return 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"calls={calls} wall_s={wall:.6f} cpu_us_per_call={cpu * 1e6 / calls:.3f} maxrss_kib={peak}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
