'use strict';
// The blocking C calls, made off the main thread: koffi's asynchronous calls, on libuv's
// thread pool, as many at once as the pool has threads.

/**
 * The blocking calls in flight at once from this JavaScript thread (each worker counts its
 * own, and they share the process's one pool): as many as libuv's thread
 * pool has threads (UV_THREADPOOL_SIZE, default 4), so that a call of one thread never waits in libuv's
 * queue, where its time could not be counted, and koffi's queue of asynchronous calls never
 * overflows. Calls beyond wait here, in order; a call whose timeout passes or whose signal
 * aborts while it waits is taken off the queue, and nothing is sent.
 */
class Slots {
  constructor(size) {
    this.size = size;
    this.busy = 0;
    this.queue = [];
  }

  /** Resolves to true once a slot is held, false when `timeoutMs` passed or `cancel` fired. */
  acquire(timeoutMs, cancel) {
    if (cancel?.aborted) return Promise.resolve(false);
    if (this.busy < this.size && this.queue.length === 0) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      let timer = null;
      let unwatch = null;
      const leave = (granted) => {
        if (timer !== null) clearTimeout(timer);
        if (unwatch !== null) unwatch();
        resolve(granted);
      };
      const entry = () => leave(true);
      const drop = () => {
        const index = this.queue.indexOf(entry);
        if (index >= 0) this.queue.splice(index, 1);
        leave(false);
      };
      if (timeoutMs !== undefined) timer = setTimeout(drop, Math.max(0, timeoutMs));
      if (cancel !== null) unwatch = cancel.watch(drop);
      this.queue.push(entry);
    });
  }

  release() {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.busy--;
  }
}

function poolSize() {
  const size = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
}

const slots = new Slots(poolSize());

/** A koffi asynchronous call as a promise. */
function callAsync(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error, value) => (error ? reject(error) : resolve(value)));
  });
}

module.exports = { slots, callAsync };
