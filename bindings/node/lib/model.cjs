'use strict';
// The values a call returns (Action, Region, RateLimit, ActionStatus, PollEvent) and their
// conversion from the C structs, done once while the result (or the event) is alive.

const { koffi, constants } = require('./ffi.cjs');

/** The status of an action; the text the API sent is `Action.statusText`. */
const ActionStatus = Object.freeze({
  IN_PROGRESS: 'in-progress',
  COMPLETED: 'completed',
  ERRORED: 'errored',
  UNKNOWN: 'unknown',
});

const STATUS_FROM_C = new Map([
  [constants.DROPLET_ACTION_STATUS_UNKNOWN, ActionStatus.UNKNOWN],
  [constants.DROPLET_ACTION_STATUS_IN_PROGRESS, ActionStatus.IN_PROGRESS],
  [constants.DROPLET_ACTION_STATUS_COMPLETED, ActionStatus.COMPLETED],
  [constants.DROPLET_ACTION_STATUS_ERRORED, ActionStatus.ERRORED],
]);

/** The status of an action or poll event: null with no status text, else known or UNKNOWN. */
function statusFromC(status, statusText) {
  return statusText === null ? null : STATUS_FROM_C.get(status) ?? ActionStatus.UNKNOWN;
}

/** Thrown by the conversion when a value has no exact JavaScript form. */
class Unrepresentable extends Error {}

function text(pointer) {
  return pointer === null ? null : koffi.decode.string(pointer);
}

const POINTER_SIZE = koffi.sizeof('void *');

function texts(pointer, length) {
  const values = [];
  // One pointer at a time: koffi.decode with a length makes an array type on every call,
  // and keeps it.
  for (let i = 0; i < Number(length); i++) values.push(text(koffi.decode(pointer, i * POINTER_SIZE, 'void *')));
  return values;
}

/** An id from the library: a number, or Unrepresentable past 2^53 - 1. */
function integer(value, name) {
  if (typeof value === 'bigint') {
    throw new Unrepresentable(
      `${name} ${value} is beyond Number.MAX_SAFE_INTEGER: it has no exact JavaScript number`,
    );
  }
  return value;
}

/** A Date from an RFC 3339 text the library already checked (else its Unix seconds). */
function timestamp(pointer, unix, present) {
  if (!present || pointer === null) return null;
  const parsed = new Date(text(pointer));
  return Number.isNaN(parsed.getTime()) ? new Date(Number(unix) * 1000) : parsed;
}

function regionFromC(pointer) {
  const region = koffi.decode(pointer, 'droplet_region');
  return Object.freeze({
    slug: text(region.slug),
    name: text(region.name),
    sizes: Object.freeze(texts(region.sizes, region.sizes_len)),
    features: Object.freeze(texts(region.features, region.features_len)),
    available: region.has_available ? region.available : null,
  });
}

/** Copies a `droplet_action` into a frozen Action. */
function actionFromC(pointer) {
  const action = koffi.decode(pointer, 'droplet_action');
  const statusText = text(action.status_text);
  return Object.freeze({
    id: action.has_id ? integer(action.id, 'id') : null,
    status: statusFromC(action.status, statusText),
    statusText,
    type: text(action.type),
    startedAt: timestamp(action.started_at, action.started_at_unix, action.has_started_at),
    completedAt: timestamp(action.completed_at, action.completed_at_unix, action.has_completed_at),
    resourceId: action.has_resource_id ? integer(action.resource_id, 'resource_id') : null,
    resourceType: text(action.resource_type),
    regionSlug: text(action.region_slug),
    region: action.region === null ? null : regionFromC(action.region),
  });
}

/** Copies a `droplet_rate_limit`; null when the headers were absent. */
function rateLimitFromC(rateLimit) {
  if (!rateLimit.present) return null;
  const reset = Number(rateLimit.reset);
  return Object.freeze({
    limit: Number(rateLimit.limit),
    remaining: Number(rateLimit.remaining),
    reset,
    resetAt: new Date(reset * 1000),
  });
}

/**
 * Copies a `droplet_poll_event` (valid only during the library's call) into a frozen
 * PollEvent: Python's `PollEvent` in camelCase, with milliseconds.
 */
function pollEventFromC(pointer) {
  const event = koffi.decode(pointer, 'droplet_poll_event');
  const statusText = text(event.status_text);
  return Object.freeze({
    dropletId: event.droplet_id,
    actionId: event.action_id,
    status: statusFromC(event.status, statusText),
    statusText,
    httpStatus: event.http_status || null,
    elapsedMs: Number(event.elapsed_ms),
    polls: event.polls,
    requests: event.requests,
    nextPollInMs: event.more ? Number(event.next_poll_in_ms) : null,
  });
}

module.exports = { ActionStatus, actionFromC, pollEventFromC, rateLimitFromC, text, Unrepresentable };
