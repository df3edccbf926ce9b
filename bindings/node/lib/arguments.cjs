'use strict';
// The checks of what a caller hands the package, before anything reaches the library: ids,
// durations, counts, strings, signals, functions, and the options of a wait. A value the
// library takes as its default (0) is never passed for one the caller gave.

const { InvalidArgumentError } = require('./errors.cjs');

/** The largest `uint32_t`: the widest duration and count the library takes. */
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function checkId(value, name) {
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new InvalidArgumentError(`${name} ${value} does not fit in 64 bits`);
    }
    return value;
  }
  if (!Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be a safe integer or a bigint, not ${describe(value)}`);
  }
  return value;
}

function describe(value) {
  return typeof value === 'number' ? String(value) : typeof value;
}

/** The checked ids of one action: [dropletId, actionId]. */
function checkIds(dropletId, actionId) {
  return [checkId(dropletId, 'dropletId'), checkId(actionId, 'actionId')];
}

/** Milliseconds for the C library, rounded up; 0 (the library's default) for undefined. */
function milliseconds(value, name) {
  if (value === undefined) return 0;
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds, not ${typeof value}`);
  }
  if (!Number.isFinite(value) || value <= 0 || value > UINT32_MAX) {
    throw new InvalidArgumentError(`${name} must be above 0 and at most ${UINT32_MAX} ms, not ${value}`);
  }
  return Math.ceil(value);
}

function count(value, name, maximum) {
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TypeError(`${name} must be an integer, not ${typeof value}`);
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new InvalidArgumentError(`${name} must be an integer, not ${value}`);
  }
  if (value < 0 || value > maximum) {
    throw new InvalidArgumentError(`${name} must be between 0 and ${maximum}, not ${value}`);
  }
  return value;
}

function text(value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, not ${typeof value}`);
  if (value.includes('\0')) throw new InvalidArgumentError(`${name} holds a NUL character`);
  return value;
}

function checkSignal(signal) {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError('signal must be an AbortSignal');
  }
}

function checkFunction(value, name) {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function`);
  }
}

/** The checked timing of a wait, [timeoutMs, pollMs], once its signal is checked too. */
function waitTiming(timeout, pollInterval, signal) {
  const timing = [milliseconds(timeout, 'timeout'), milliseconds(pollInterval, 'pollInterval')];
  checkSignal(signal);
  return timing;
}

module.exports = {
  UINT32_MAX,
  checkFunction,
  checkIds,
  checkSignal,
  count,
  milliseconds,
  text,
  waitTiming,
};
