#!/usr/bin/env python3
"""Retrieve one droplet action through the C ABI with ctypes, and print it as JSON.

    DIGITALOCEAN_ACCESS_TOKEN=... python3 get_action.py 3164444 36804636

The token comes from DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN), the API from
DIGITALOCEAN_API_URL (default https://api.digitalocean.com). The library is found through
DROPLET_ACTION_LIB (a path to libdroplet_action.so), else in the workspace's target/release
or target/debug, else on the system's library path.
"""

import ctypes
import ctypes.util
import json
import os
import pathlib
import sys

c_char_p = ctypes.c_char_p


class Region(ctypes.Structure):
    _fields_ = [
        ("name", c_char_p),
        ("slug", c_char_p),
        ("sizes", ctypes.POINTER(c_char_p)),
        ("sizes_len", ctypes.c_size_t),
        ("features", ctypes.POINTER(c_char_p)),
        ("features_len", ctypes.c_size_t),
        ("available", ctypes.c_bool),
        ("has_available", ctypes.c_bool),
    ]


class Action(ctypes.Structure):
    _fields_ = [
        ("id", ctypes.c_int64),
        ("has_id", ctypes.c_bool),
        ("status", ctypes.c_uint32),
        ("status_text", c_char_p),
        ("type", c_char_p),
        ("resource_type", c_char_p),
        ("region_slug", c_char_p),
        ("resource_id", ctypes.c_int64),
        ("has_resource_id", ctypes.c_bool),
        ("started_at", c_char_p),
        ("started_at_unix", ctypes.c_int64),
        ("has_started_at", ctypes.c_bool),
        ("completed_at", c_char_p),
        ("completed_at_unix", ctypes.c_int64),
        ("has_completed_at", ctypes.c_bool),
        ("region", ctypes.POINTER(Region)),
    ]


class RateLimit(ctypes.Structure):
    _fields_ = [
        ("limit", ctypes.c_int64),
        ("remaining", ctypes.c_int64),
        ("reset", ctypes.c_int64),
        ("present", ctypes.c_bool),
    ]


class ActionResult(ctypes.Structure):
    _fields_ = [
        ("status", ctypes.c_uint32),
        ("http_status", ctypes.c_uint16),
        ("attempts", ctypes.c_uint32),
        ("action", ctypes.POINTER(Action)),
        ("error_message", c_char_p),
        ("error_id", c_char_p),
        ("request_id", c_char_p),
        ("rate_limit", RateLimit),
        # Not c_char_p: the body is raw_body_len bytes and may hold NULs.
        ("raw_body", ctypes.POINTER(ctypes.c_char)),
        ("raw_body_len", ctypes.c_size_t),
        ("internal", ctypes.c_void_p),
    ]


def load_library():
    explicit = os.environ.get("DROPLET_ACTION_LIB")
    if explicit:
        return ctypes.CDLL(explicit)
    root = pathlib.Path(__file__).resolve().parents[2]
    for profile in ("release", "debug"):
        candidate = root / "target" / profile / "libdroplet_action.so"
        if candidate.exists():
            return ctypes.CDLL(str(candidate))
    found = ctypes.util.find_library("droplet_action")
    if found:
        return ctypes.CDLL(found)
    sys.exit("libdroplet_action.so not found: build it (cargo build -p droplet-action-ffi) "
             "or set DROPLET_ACTION_LIB")


def bind(lib):
    lib.droplet_client_builder_new.restype = ctypes.c_void_p
    lib.droplet_client_builder_new.argtypes = []
    for name in ("droplet_client_builder_set_token", "droplet_client_builder_set_base_url"):
        getattr(lib, name).restype = ctypes.c_uint32
        getattr(lib, name).argtypes = [ctypes.c_void_p, c_char_p]
    lib.droplet_client_builder_build.restype = ctypes.c_uint32
    lib.droplet_client_builder_build.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.droplet_client_builder_free.restype = None
    lib.droplet_client_builder_free.argtypes = [ctypes.c_void_p]
    lib.droplet_client_free.restype = None
    lib.droplet_client_free.argtypes = [ctypes.c_void_p]
    # The result is a struct returned by value: ctypes handles that through restype.
    lib.droplet_action_get.restype = ActionResult
    lib.droplet_action_get.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64]
    lib.droplet_action_result_free.restype = None
    lib.droplet_action_result_free.argtypes = [ctypes.POINTER(ActionResult)]
    lib.droplet_status_str.restype = c_char_p
    lib.droplet_status_str.argtypes = [ctypes.c_uint32]
    return lib


def text(value):
    return None if value is None else value.decode("utf-8")


def strings(pointer, length):
    return [pointer[i].decode("utf-8") for i in range(length)] if pointer else []


def action_to_dict(action):
    out = {
        "id": action.id if action.has_id else None,
        "status": text(action.status_text),
        "type": text(action.type),
        "started_at": text(action.started_at),
        "completed_at": text(action.completed_at),
        "resource_id": action.resource_id if action.has_resource_id else None,
        "resource_type": text(action.resource_type),
        "region_slug": text(action.region_slug),
        "region": None,
    }
    if action.region:
        region = action.region.contents
        out["region"] = {
            "name": text(region.name),
            "slug": text(region.slug),
            "sizes": strings(region.sizes, region.sizes_len),
            "features": strings(region.features, region.features_len),
            "available": region.available if region.has_available else None,
        }
    return out


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} DROPLET_ID ACTION_ID", file=sys.stderr)
        return 2
    token = os.environ.get("DIGITALOCEAN_ACCESS_TOKEN") or os.environ.get("DIGITALOCEAN_TOKEN")
    if not token:
        print("set DIGITALOCEAN_ACCESS_TOKEN (and DIGITALOCEAN_API_URL for a mock)",
              file=sys.stderr)
        return 2
    base_url = os.environ.get("DIGITALOCEAN_API_URL", "https://api.digitalocean.com")
    lib = bind(load_library())

    builder = lib.droplet_client_builder_new()
    if (lib.droplet_client_builder_set_token(builder, token.encode()) != 0
            or lib.droplet_client_builder_set_base_url(builder, base_url.encode()) != 0):
        lib.droplet_client_builder_free(builder)
        print("invalid token or base URL", file=sys.stderr)
        return 2
    client = ctypes.c_void_p()
    status = lib.droplet_client_builder_build(builder, ctypes.byref(client))
    if status != 0:
        print(f"cannot build the client: {text(lib.droplet_status_str(status))}", file=sys.stderr)
        return 2
    try:
        result = lib.droplet_action_get(client, int(argv[1]), int(argv[2]))
        try:
            if result.status != 0:
                print(f"error ({text(lib.droplet_status_str(result.status))}): "
                      f"{text(result.error_message)}", file=sys.stderr)
                return 1
            print(json.dumps({"action": action_to_dict(result.action.contents)}, indent=2))
            return 0
        finally:
            lib.droplet_action_result_free(ctypes.byref(result))
    finally:
        lib.droplet_client_free(client)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
