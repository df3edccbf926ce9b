'use strict';
// The cancellable get: one droplet_action_get_with_options, a blocking C call made on a
// thread of libuv's pool (koffi's asynchronous call), whose timeout counts the time queued
// for that thread and whose AbortSignal cancels it through the library's token.

const { c, callOptions, nowMs } = require('./ffi.cjs');
const { CancelledError, TimeoutError, takeResult } = require('./errors.cjs');
const { callAsync, slots } = require('./threads.cjs');

/**
 * One get of an action on the client pointer `client`: the Action, or the error that ended
 * it (returned, not thrown). `timeoutMs` (0: none, each attempt has the client's timeout)
 * counts from `started`; `cancel` is the call's Cancel.
 */
async function getOutcome(client, dropletId, actionId, started, timeoutMs, cancel) {
  if (cancel.aborted) return cancelled(cancel);
  if (!(await slots.acquire(timeoutMs === 0 ? undefined : timeoutMs, cancel))) {
    if (cancel.aborted) return cancelled(cancel);
    return new TimeoutError("no thread was free to send the request within the call's timeout");
  }
  let result;
  try {
    const left = timeoutMs === 0 ? 0 : Math.max(1, started + timeoutMs - nowMs());
    const options = callOptions({ cancel: cancel.pointer, timeoutMs: left });
    result = await callAsync(c.droplet_action_get_with_options, client, dropletId, actionId, options);
  } finally {
    slots.release();
  }
  return takeResult(result, cancel.reason);
}

/** The error of a call whose signal aborted before the library was called. */
function cancelled(cancel) {
  return new CancelledError('the call was aborted', { cause: cancel.reason });
}

module.exports = { getOutcome };
