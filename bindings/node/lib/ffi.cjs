'use strict';
// The C library through koffi: every type and function of include/droplet_action.h, declared
// from lib/header.cjs (generated from the header), and nothing declared by hand.
//
// The library is the libdroplet_action.so in this package's native/ folder, or the file
// named by the DROPLET_ACTION_LIB environment variable when it is set.

const path = require('node:path');
const koffi = require('koffi');
const header = require('./header.cjs');

const LIBRARY = process.env.DROPLET_ACTION_LIB || path.join(__dirname, '..', 'native', 'libdroplet_action.so');

function load() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `droplet-action carries its C library for Linux x86_64 only, not ${process.platform} ${process.arch}`,
    );
  }
  try {
    return koffi.load(LIBRARY);
  } catch (error) {
    throw new Error(`droplet-action: cannot load its C library ${LIBRARY}: ${error.message}`);
  }
}

const lib = load();
for (const [name, type] of Object.entries(header.aliases)) koffi.alias(name, type);
for (const name of header.opaque) koffi.opaque(name);
for (const [name, type] of Object.entries(header.opaqueAliases)) koffi.alias(name, type);
for (const [name, fields] of header.structs) koffi.struct(name, Object.fromEntries(fields));
for (const prototype of header.callbacks) {
  // The header's typedef names a pointer to a function: koffi names the function type, then
  // the pointer.
  const name = /(\w+)\(/.exec(prototype)[1];
  koffi.pointer(name, koffi.proto(prototype.replace(`${name}(`, `${name}_function(`)));
}

/** Every function of the header, by name. */
const c = {};
for (const prototype of header.functions) {
  c[/(droplet_\w+)\(/.exec(prototype)[1]] = lib.func(prototype);
}

// The C library's memcpy, to copy bytes the library owns (a raw body) into a Buffer:
// koffi.view would keep each view's memory, and koffi.decode with a length makes a type on
// every call.
const memcpy = koffi.load('libc.so.6').func('void *memcpy(void *dest, const void *src, size_t n)');

/** A copy of `length` bytes at `pointer`. */
function bytes(pointer, length) {
  const copy = Buffer.allocUnsafe(length);
  if (length > 0) memcpy(copy, pointer, length);
  return copy;
}

/** The monotonic clock of the waiters, in whole milliseconds. */
function nowMs() {
  return Math.floor(performance.now());
}

const CALL_OPTIONS_SIZE = koffi.sizeof('droplet_call_options');

/**
 * A `droplet_call_options` with its `size`: a cancel token pointer, a timeout, a poll
 * interval, a poll callback and its userdata; what is left out is 0 or NULL, the library's
 * default.
 */
function callOptions({ cancel = null, timeoutMs = 0, pollMs = 0, onPoll = null, userdata = null }) {
  return {
    size: CALL_OPTIONS_SIZE,
    cancel,
    timeout_ms: timeoutMs,
    poll_interval_ms: pollMs,
    on_poll: onPoll,
    on_poll_userdata: userdata,
  };
}

module.exports = { koffi, c, constants: header.constants, bytes, callOptions, nowMs, LIBRARY };
