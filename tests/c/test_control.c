/*
 * The C contract's second part: cancellation, per-call options, logging, build errors,
 * sans-IO and the accessors, checked against the mock server.
 *
 * usage: test_control BASE_URL LIMIT_MS CALLS
 *   BASE_URL  a running mock server (http://127.0.0.1:PORT)
 *   LIMIT_MS  how soon after a trigger a cancelled call must return (100 plain)
 *   CALLS     how many calls to cancel at random moments (1000)
 * Prints one line per failed check and ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L
#include "droplet_action.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"

static const char *base_url;
static double limit_ms;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static droplet_client *make_client(uint32_t retries, uint32_t backoff_ms) {
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, base_url) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_max_retries(builder, retries) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_backoff_ms(builder, backoff_ms, backoff_ms) ==
        DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  CHECK_STR(droplet_last_error_message(), "");
  return client;
}

static droplet_call_options options_with(const droplet_cancel_token *cancel, uint32_t timeout_ms,
                                         uint32_t poll_ms) {
  droplet_call_options options;
  memset(&options, 0, sizeof options);
  options.size = sizeof options;
  options.cancel = cancel;
  options.timeout_ms = timeout_ms;
  options.poll_interval_ms = poll_ms;
  return options;
}

/* ---- cancellation from another thread ---- */

struct trigger {
  droplet_cancel_token *cancel;
  long after_us;
  double fired_at;
};

static void *trigger_later(void *arg) {
  struct trigger *t = arg;
  struct timespec ts = {t->after_us / 1000000L, (t->after_us % 1000000L) * 1000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
  t->fired_at = now_ms();
  droplet_cancel_token_cancel(t->cancel);
  return NULL;
}

/* Runs a get (wait = 0) or a wait with a token triggered after `after_ms`; returns the
 * result and how long after the trigger it came back. */
static droplet_action_result cancelled_call(const droplet_client *client, int wait,
                                            int64_t droplet, int64_t action, long after_ms,
                                            uint32_t poll_ms, double *latency_ms) {
  droplet_cancel_token *cancel = droplet_cancel_token_new();
  struct trigger t = {cancel, after_ms * 1000L, 0.0};
  pthread_t thread;
  pthread_create(&thread, NULL, trigger_later, &t);
  droplet_call_options options = options_with(cancel, 0, poll_ms);
  droplet_action_result r = wait ? droplet_action_wait_with_options(client, droplet, action, &options)
                                 : droplet_action_get_with_options(client, droplet, action, &options);
  double returned = now_ms();
  pthread_join(thread, NULL);
  *latency_ms = returned - t.fired_at;
  CHECK(droplet_cancel_token_is_cancelled(cancel));
  droplet_cancel_token_free(cancel);
  return r;
}

static void test_cancel_a_slow_answer(void) {
  droplet_client *client = make_client(2, 10);
  double latency;
  /* 900800 with droplet 5000: the answer takes five seconds. */
  droplet_action_result r = cancelled_call(client, 0, 5000, 900800, 150, 0, &latency);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(latency >= 0.0 && latency < limit_ms);
  CHECK(r.attempts == 1);
  CHECK(r.action == NULL);
  CHECK_STR(r.error_message, "the call was cancelled after 1 attempt(s)");
  droplet_action_result_free(&r);
  /* The client is still usable. */
  r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_cancel_a_backoff(void) {
  droplet_client *client = make_client(5, 5000);
  double latency;
  /* 900599: always 500, so the client backs off between attempts: a pause drawn from up
   * to five seconds (full jitter), so the cancel may come after a second attempt. */
  droplet_action_result r = cancelled_call(client, 0, 1, 900599, 300, 0, &latency);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(latency >= 0.0 && latency < limit_ms);
  CHECK(r.attempts >= 1);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_cancel_the_sleep_between_polls(void) {
  droplet_client *client = make_client(2, 10);
  double latency;
  /* 900199: in progress for 99 polls; one poll every five seconds. */
  droplet_action_result r = cancelled_call(client, 1, 2, 900199, 300, 5000, &latency);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(latency >= 0.0 && latency < limit_ms);
  CHECK(droplet_action_result_polls(&r) == 1);
  CHECK(r.attempts == 1);
  CHECK(r.action != NULL && r.action->id == 900199);
  CHECK(r.action != NULL && r.action->status == DROPLET_ACTION_STATUS_IN_PROGRESS);
  CHECK(r.http_status == 200);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_a_triggered_token_sends_nothing(void) {
  droplet_client *client = make_client(2, 10);
  droplet_cancel_token *cancel = droplet_cancel_token_new();
  CHECK(!droplet_cancel_token_is_cancelled(cancel));
  droplet_cancel_token_cancel(cancel);
  droplet_cancel_token_cancel(cancel);
  CHECK(droplet_cancel_token_is_cancelled(cancel));
  droplet_call_options options = options_with(cancel, 0, 0);
  droplet_action_result r = droplet_action_get_with_options(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(r.attempts == 0);
  CHECK(r.http_status == 0);
  droplet_action_result_free(&r);
  droplet_cancel_token_free(cancel);
  droplet_cancel_token_free(NULL);
  droplet_cancel_token_cancel(NULL);
  CHECK(!droplet_cancel_token_is_cancelled(NULL));
  droplet_client_free(client);
}

static void test_cancel_a_wait_for_the_request_budget(void) {
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, base_url) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_requests_per_minute(builder, 1) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_timeout_ms(builder, 120000) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  /* The second request of the minute waits for the budget: a minute, unless cancelled. */
  double latency;
  r = cancelled_call(client, 0, 3164444, 36804636, 200, 0, &latency);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(latency >= 0.0 && latency < limit_ms);
  CHECK(r.attempts == 0);
  droplet_action_result_free(&r);
  /* A call whose time cannot fit the wait fails at once, with nothing sent. */
  droplet_call_options options = options_with(NULL, 500, 0);
  double started = now_ms();
  r = droplet_action_get_with_options(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_TIMEOUT);
  CHECK(now_ms() - started < limit_ms);
  CHECK(r.attempts == 0);
  CHECK_PREFIX(r.error_message, "the request budget has no slot for ");
  droplet_action_result_free(&r);
  droplet_client_free(client);
  /* 0 is the default, UINT32_MAX no pacing; both accepted. */
  builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_requests_per_minute(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_requests_per_minute(builder, UINT32_MAX) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_requests_per_minute(NULL, 5) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_client_builder_free(builder);
}

/* ---- cancellation from a signal handler ---- */

static droplet_cancel_token *signal_token;

static void on_alarm(int sig) {
  (void)sig;
  droplet_cancel_token_cancel(signal_token);
}

static void test_cancel_from_a_signal_handler(void) {
  droplet_client *client = make_client(2, 10);
  signal_token = droplet_cancel_token_new();
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigemptyset(&action.sa_mask);
  CHECK(sigaction(SIGALRM, &action, NULL) == 0);
  struct itimerval timer;
  memset(&timer, 0, sizeof timer);
  timer.it_value.tv_usec = 200000;
  double started = now_ms();
  CHECK(setitimer(ITIMER_REAL, &timer, NULL) == 0);
  droplet_call_options options = options_with(signal_token, 60000, 0);
  droplet_action_result r = droplet_action_get_with_options(client, 5000, 900800, &options);
  double elapsed = now_ms() - started;
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  CHECK(elapsed >= 150.0 && elapsed < 200.0 + limit_ms);
  droplet_action_result_free(&r);
  droplet_cancel_token_free(signal_token);
  signal(SIGALRM, SIG_DFL);
  droplet_client_free(client);
}

/* ---- many calls cancelled at random moments ---- */

static void test_calls_cancelled_at_random_moments(int calls) {
  droplet_client *client = make_client(2, 10);
  int ok = 0, cancelled = 0, other = 0;
  unsigned seed = 12345;
  for (int i = 0; i < calls; i++) {
    droplet_cancel_token *cancel = droplet_cancel_token_new();
    struct trigger t = {cancel, (long)(rand_r(&seed) % 3000), 0.0};
    pthread_t thread;
    pthread_create(&thread, NULL, trigger_later, &t);
    droplet_call_options options = options_with(cancel, 0, 0);
    /* Every fourth call is slow (droplet 20 = 20 ms), the others answer at once. */
    int64_t droplet = i % 4 == 0 ? 20 : 3164444;
    int64_t action = i % 4 == 0 ? 900800 : 36804636;
    droplet_action_result r = droplet_action_get_with_options(client, droplet, action, &options);
    if (r.status == DROPLET_STATUS_OK) {
      ok++;
    } else if (r.status == DROPLET_STATUS_CANCELLED) {
      cancelled++;
    } else {
      other++;
      fprintf(stderr, "call %d: %s\n", i, r.error_message);
    }
    droplet_action_result_free(&r);
    pthread_join(thread, NULL);
    droplet_cancel_token_free(cancel);
  }
  CHECK(other == 0);
  CHECK(ok + cancelled == calls);
  CHECK(cancelled > 0);
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

/* ---- options ---- */

static void test_call_options_are_checked(void) {
  droplet_client *client = make_client(2, 10);
  droplet_call_options options = options_with(NULL, 0, 0);
  options.size = 0;
  droplet_action_result r = droplet_action_get_with_options(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_PREFIX(r.error_message, "invalid argument: droplet_call_options.size is 0");
  droplet_action_result_free(&r);

  /* A newer caller's larger struct: zero bytes past the known fields are fine. */
  struct {
    droplet_call_options known;
    uint64_t newer;
  } larger;
  memset(&larger, 0, sizeof larger);
  larger.known.size = sizeof larger;
  r = droplet_action_get_with_options(client, 3164444, 36804636, &larger.known);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  larger.newer = 1;
  r = droplet_action_get_with_options(client, 3164444, 36804636, &larger.known);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(r.error_message, "invalid argument: droplet_call_options holds settings this "
                             "version of the library does not know");
  droplet_action_result_free(&r);

  r = droplet_action_get_with_options(client, 3164444, 36804636, NULL);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(droplet_action_result_polls(&r) == 0);
  droplet_action_result_free(&r);
  r = droplet_action_get_with_options(NULL, 3164444, 36804636, NULL);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_action_result_free(&r);

  /* A get's timeout_ms bounds the whole call: 900800 with droplet 2000 never fits. */
  options = options_with(NULL, 300, 0);
  double started = now_ms();
  r = droplet_action_get_with_options(client, 2000, 900800, &options);
  double elapsed = now_ms() - started;
  CHECK(r.status == DROPLET_STATUS_TIMEOUT);
  CHECK(elapsed >= 290.0 && elapsed < 300.0 + limit_ms);
  droplet_action_result_free(&r);

  /* A wait with options: 900102 completes on the third poll. */
  options = options_with(NULL, 5000, 10);
  r = droplet_action_wait_with_options(client, 8, 900102, &options);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(droplet_action_result_polls(&r) == 3);
  CHECK(r.action != NULL && r.action->status == DROPLET_ACTION_STATUS_COMPLETED);
  droplet_action_result_free(&r);
  CHECK(droplet_action_result_polls(&r) == 0);
  CHECK(droplet_action_result_polls(NULL) == 0);
  droplet_client_free(client);
}

/* ---- the poll callback ---- */

struct polls_seen {
  int count;
  droplet_action_status status[8];
  char text[8][16];
  uint16_t http_status[8];
  uint32_t polls[8];
  uint32_t requests[8];
  bool more[8];
  uint64_t next_poll_in_ms[8];
};

static void on_poll(void *userdata, const droplet_poll_event *event) {
  struct polls_seen *seen = userdata;
  if (seen->count == 8) return;
  int i = seen->count++;
  seen->status[i] = event->status;
  snprintf(seen->text[i], sizeof seen->text[i], "%s",
           event->status_text != NULL ? event->status_text : "(null)");
  seen->http_status[i] = event->http_status;
  seen->polls[i] = event->polls;
  seen->requests[i] = event->requests;
  seen->more[i] = event->more;
  seen->next_poll_in_ms[i] = event->next_poll_in_ms;
}

static void test_poll_callback(void) {
  droplet_client *client = make_client(2, 10);
  struct polls_seen seen;
  memset(&seen, 0, sizeof seen);
  droplet_call_options options = options_with(NULL, 5000, 10);
  options.on_poll = on_poll;
  options.on_poll_userdata = &seen;
  /* 900102: in progress twice, then completed. */
  droplet_action_result r = droplet_action_wait_with_options(client, 9, 900102, &options);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(seen.count == 3);
  CHECK(seen.status[0] == DROPLET_ACTION_STATUS_IN_PROGRESS);
  CHECK_STR(seen.text[1], "in-progress");
  CHECK(seen.status[2] == DROPLET_ACTION_STATUS_COMPLETED);
  CHECK_STR(seen.text[2], "completed");
  CHECK(seen.polls[0] == 1 && seen.polls[1] == 2 && seen.polls[2] == 3);
  CHECK(seen.requests[2] == 3 && seen.http_status[2] == 200);
  CHECK(seen.more[0] && seen.more[1] && !seen.more[2]);
  CHECK(seen.next_poll_in_ms[0] == 10 && seen.next_poll_in_ms[2] == 0);
  droplet_action_result_free(&r);

  /* 900500: two 500s, retried within the one poll, then completed. */
  memset(&seen, 0, sizeof seen);
  r = droplet_action_wait_with_options(client, 9, 900500, &options);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(seen.count == 3);
  CHECK(seen.http_status[0] == 500 && seen.http_status[1] == 500);
  CHECK(seen.status[0] == DROPLET_ACTION_STATUS_UNKNOWN);
  CHECK_STR(seen.text[0], "(null)");
  CHECK(seen.polls[1] == 1 && seen.requests[1] == 2 && seen.more[1]);
  CHECK(seen.status[2] == DROPLET_ACTION_STATUS_COMPLETED && !seen.more[2]);
  droplet_action_result_free(&r);

  /* A get ignores it. */
  memset(&seen, 0, sizeof seen);
  r = droplet_action_get_with_options(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(seen.count == 0);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

/* ---- logging ---- */

struct log_lines {
  int count;
  uint32_t levels[32];
  char lines[32][256];
};

static void collect(void *userdata, uint32_t level, const char *message) {
  struct log_lines *log = userdata;
  if (log->count < 32) {
    log->levels[log->count] = level;
    snprintf(log->lines[log->count], sizeof log->lines[0], "%s", message);
  }
  log->count++;
}

static droplet_client *logging_client(struct log_lines *log, uint32_t max_level) {
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, base_url) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_backoff_ms(builder, 1, 1) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_log_callback(builder, collect, log, max_level) ==
        DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  return client;
}

static void test_log_callback(void) {
  struct log_lines log;
  memset(&log, 0, sizeof log);
  droplet_client *client = logging_client(&log, 4);
  /* 900503: 503 twice, then 200. */
  droplet_action_result r = droplet_action_get(client, 9, 900503);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(log.count == 6);
  CHECK(log.levels[0] == 4);
  CHECK_STR(log.lines[0], "GET /v2/droplets/9/actions/900503: attempt 1");
  CHECK(log.levels[1] == 3);
  CHECK_PREFIX(log.lines[1], "GET /v2/droplets/9/actions/900503: retrying in ");
  CHECK(strstr(log.lines[1], "(request id ") != NULL);
  CHECK_STR(log.lines[4], "GET /v2/droplets/9/actions/900503: attempt 3");
  char expected[256];
  snprintf(expected, sizeof expected,
           "GET /v2/droplets/9/actions/900503: 200 after 3 attempt(s) (request id %s)",
           r.request_id);
  CHECK_STR(log.lines[5], expected);
  for (int i = 0; i < log.count && i < 32; i++) {
    CHECK(strstr(log.lines[i], "mock-token") == NULL);
  }
  droplet_action_result_free(&r);
  droplet_client_free(client);

  /* At warn, a success logs nothing and a 404 one line. */
  memset(&log, 0, sizeof log);
  client = logging_client(&log, 2);
  r = droplet_action_get(client, 3164444, 36804636);
  CHECK(log.count == 0);
  droplet_action_result_free(&r);
  r = droplet_action_get(client, 9, 900404);
  CHECK(log.count == 1);
  CHECK(log.levels[0] == 2);
  CHECK_PREFIX(log.lines[0], "GET /v2/droplets/9/actions/900404: failed after 1 attempt(s): ");
  droplet_action_result_free(&r);

  /* The level changes on a live client: debug shows each attempt, 0 turns it off. */
  CHECK(droplet_client_set_log_level(client, 4) == DROPLET_STATUS_OK);
  r = droplet_action_get(client, 3164444, 36804636);
  CHECK(log.count == 3);
  CHECK(log.levels[1] == 4);
  CHECK_STR(log.lines[1], "GET /v2/droplets/3164444/actions/36804636: attempt 1");
  droplet_action_result_free(&r);
  CHECK(droplet_client_set_log_level(client, 0) == DROPLET_STATUS_OK);
  r = droplet_action_get(client, 9, 900404);
  CHECK(log.count == 3);
  droplet_action_result_free(&r);
  /* A refusal leaves the last error message, and a pointer to it, as they were. */
  droplet_client_builder *failing = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(failing, "") == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_client_builder_free(failing);
  const char *kept = droplet_last_error_message();
  CHECK(droplet_client_set_log_level(client, 5) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_set_log_level(NULL, 4) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(kept == droplet_last_error_message());
  CHECK_STR(kept, "token: the API token is empty");
  droplet_client_free(client);

  /* Off: NULL callback or level 0. Out of range: refused. */
  droplet_client_builder *builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_log_callback(builder, NULL, NULL, 4) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_log_callback(builder, collect, &log, 0) ==
        DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_log_callback(builder, collect, &log, 5) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(), "log_callback: max_level 5 is not 0 to 4");
  CHECK(droplet_client_builder_set_log_callback(NULL, collect, &log, 4) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_client_builder_free(builder);
}

/* ---- the environment's proxy ---- */

static droplet_status get_through_env_proxy(bool from_env) {
  droplet_client_builder *builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, base_url) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_max_retries(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_proxy_from_env(builder, from_env) == DROPLET_STATUS_OK);
  droplet_client *client = NULL;
  droplet_status built = droplet_client_builder_build(builder, &client);
  if (built != DROPLET_STATUS_OK) return built;
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  droplet_status status = r.status;
  droplet_action_result_free(&r);
  droplet_client_free(client);
  return status;
}

static void test_proxy_from_env(void) {
  /* A proxy that refuses connections: a call through it fails, one around it succeeds. */
  setenv("http_proxy", "http://127.0.0.1:1", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_TRANSPORT);
  CHECK(get_through_env_proxy(false) == DROPLET_STATUS_OK);
  setenv("no_proxy", "127.0.0.0/8", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_OK);
  setenv("no_proxy", "localhost", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_TRANSPORT);
  setenv("no_proxy", "*", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_OK);
  unsetenv("no_proxy");
  /* Upper-case HTTP_PROXY is never read. */
  unsetenv("http_proxy");
  setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_OK);
  unsetenv("HTTP_PROXY");
  /* A malformed one fails the build, naming the variable, not its password. */
  setenv("ALL_PROXY", "ftp://me:s3cret@127.0.0.1:21", 1);
  CHECK(get_through_env_proxy(true) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(),
            "build: invalid argument: ALL_PROXY: invalid proxy ftp://***@127.0.0.1:21: the scheme "
            "must be http, socks4, socks4a, socks5 or socks5h");
  unsetenv("ALL_PROXY");
  CHECK(droplet_client_builder_set_proxy_from_env(NULL, true) == DROPLET_STATUS_INVALID_ARGUMENT);
}

/* ---- why a build failed ---- */

static void test_last_error_message(void) {
  droplet_client_builder *builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(builder, "") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(), "token: the API token is empty");
  CHECK(droplet_client_builder_set_base_url(builder, "ftp://example.com") ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(),
            "base_url: invalid base URL \"ftp://example.com\": the scheme must be http or https");
  CHECK(droplet_client_builder_set_proxy(builder, "gopher://user:hunter2@proxy:70") ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_PREFIX(droplet_last_error_message(), "proxy: invalid argument: invalid proxy ");
  CHECK(strstr(droplet_last_error_message(), "hunter2") == NULL);
  CHECK(droplet_client_builder_set_proxy(builder, "socks5://127.0.0.1:1080") ==
        DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_ca_file(builder, "/nonexistent/ca.pem") ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_PREFIX(droplet_last_error_message(),
               "ca_file: invalid argument: cannot read the CA file /nonexistent/ca.pem: ");
  CHECK(droplet_client_builder_set_backoff_ms(builder, 100, 10) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(), "backoff_ms: base 100 ms is above max 10 ms");
  /* 0 in a duration or a limit is the default, never an error. */
  CHECK(droplet_client_builder_set_timeout_ms(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_connect_timeout_ms(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_backoff_ms(builder, 0, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_body_limit(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_requests_per_minute(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_requests_per_minute(builder, DROPLET_NO_PACING) ==
        DROPLET_STATUS_OK);
  /* The base alone: the default maximum (5000 ms) is above it. */
  CHECK(droplet_client_builder_set_backoff_ms(builder, 4000, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_backoff_ms(builder, 6000, 0) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(), "backoff_ms: base 6000 ms is above max 5000 ms");
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK_STR(droplet_last_error_message(), "build: invalid argument: no API token was given");

  builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, "http://example.com") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(),
            "build: invalid argument: refusing plain http to example.com: the token would "
            "travel unencrypted (use https, or allow insecure http explicitly)");
  CHECK(droplet_client_builder_build(NULL, &client) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(droplet_last_error_message(), "build: the builder is NULL");
}

/* ---- promises of the header that had no test of their own ---- */

static void *fail_a_setting_on_another_thread(void *unused) {
  (void)unused;
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client_builder_set_timeout_ms(builder, 0);
  droplet_client_builder_free(builder);
  return NULL;
}

static void test_header_promises(void) {
  /* The backoff's base must be above 0. */
  droplet_client_builder *builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_backoff_ms(builder, 0, 100) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_PREFIX(droplet_last_error_message(), "backoff_ms: ");

  /* The last error message is per thread: a failure on another thread leaves this one's. */
  pthread_t other;
  CHECK(pthread_create(&other, NULL, fail_a_setting_on_another_thread, NULL) == 0);
  pthread_join(other, NULL);
  CHECK_PREFIX(droplet_last_error_message(), "backoff_ms: ");

  /* Strings are copied: the caller's buffers may change right after the setters. */
  char token[] = "mock-token";
  char url[256];
  snprintf(url, sizeof url, "%s", base_url);
  CHECK(droplet_client_builder_set_token(builder, token) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, url) == DROPLET_STATUS_OK);
  memset(token, 'x', sizeof token - 1);
  memset(url, 'y', sizeof url - 1);
  url[sizeof url - 1] = '\0';
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  /* A client without a log callback: changing its level is accepted and changes nothing. */
  CHECK(droplet_client_set_log_level(client, 4) == DROPLET_STATUS_OK);
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  droplet_client_free(client);

  /* No rate limit came: its numbers are 0. */
  builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, "http://127.0.0.1:1") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_max_retries(builder, 0) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  r = droplet_action_get(client, 1, 2);
  CHECK(r.status == DROPLET_STATUS_TRANSPORT);
  CHECK(!r.rate_limit.present && r.rate_limit.limit == 0 && r.rate_limit.remaining == 0 &&
        r.rate_limit.reset == 0);
  droplet_action_result_free(&r);
  droplet_client_free(client);

  /* From the environment: NULL without a token, with the reason. */
  const char *saved_access = getenv("DIGITALOCEAN_ACCESS_TOKEN");
  const char *saved_token = getenv("DIGITALOCEAN_TOKEN");
  char *access_copy = saved_access ? strdup(saved_access) : NULL;
  char *token_copy = saved_token ? strdup(saved_token) : NULL;
  unsetenv("DIGITALOCEAN_ACCESS_TOKEN");
  unsetenv("DIGITALOCEAN_TOKEN");
  CHECK(droplet_client_new_from_env() == NULL);
  CHECK_PREFIX(droplet_last_error_message(), "from_env: ");
  if (access_copy) setenv("DIGITALOCEAN_ACCESS_TOKEN", access_copy, 1);
  if (token_copy) setenv("DIGITALOCEAN_TOKEN", token_copy, 1);
  free(access_copy);
  free(token_copy);
}

/* ---- sans-IO ---- */

static const char *header_value(const droplet_request *request, const char *name) {
  for (size_t i = 0; i < request->headers_len; i++) {
    if (strcmp(request->headers[i].name, name) == 0) return request->headers[i].value;
  }
  return NULL;
}

static const char DOCUMENTED[] =
    "{\"action\":{\"id\":36804636,\"status\":\"completed\",\"type\":\"create\","
    "\"started_at\":\"2020-11-14T16:29:21Z\",\"completed_at\":\"2020-11-14T16:30:06Z\","
    "\"resource_id\":3164444,\"resource_type\":\"droplet\",\"region\":null,"
    "\"region_slug\":\"nyc3\"}}";

static void test_sans_io(void) {
  droplet_request request;
  memset(&request, 0, sizeof request);
  CHECK(droplet_request_build(base_url, "mock-token", 3164444, 36804636, &request) ==
        DROPLET_STATUS_OK);
  CHECK_STR(request.method, "GET");
  char url[256];
  snprintf(url, sizeof url, "%s/v2/droplets/3164444/actions/36804636", base_url);
  CHECK_STR(request.url, url);
  CHECK(request.headers_len == 3);
  CHECK_STR(header_value(&request, "authorization"), "Bearer mock-token");
  CHECK_STR(header_value(&request, "accept"), "application/json");
  CHECK_PREFIX(header_value(&request, "user-agent"), "droplet-action/");
  droplet_request_free(&request);
  CHECK(request.method == NULL && request.headers == NULL && request.internal == NULL);
  droplet_request_free(&request);
  droplet_request_free(NULL);

  droplet_request untouched;
  memset(&untouched, 0x5a, sizeof untouched);
  CHECK(droplet_request_build("http://example.com", "t", 1, 2, &untouched) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_PREFIX(droplet_last_error_message(), "request_build: refusing plain http to example.com");
  CHECK(droplet_request_build(base_url, "t", 0, 2, &untouched) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_request_build(base_url, NULL, 1, 2, &untouched) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_request_build(base_url, "t", 1, 2, NULL) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(((unsigned char *)&untouched)[0] == 0x5a);

  droplet_header headers[] = {
      {"RateLimit-Limit", "5000"},
      {"ratelimit-remaining", "4999"},
      {"ratelimit-reset", "1700000000"},
      {"x-request-id", "abc-123"},
  };
  droplet_action_result r = droplet_response_parse(
      200, headers, 4, (const uint8_t *)DOCUMENTED, sizeof DOCUMENTED - 1);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(r.attempts == 0);
  CHECK(r.action != NULL && r.action->id == 36804636);
  CHECK(r.action != NULL && r.action->completed_at_unix == 1605371406);
  CHECK(r.rate_limit.present && r.rate_limit.remaining == 4999);
  CHECK_STR(r.request_id, "abc-123");
  CHECK(r.raw_body_len == sizeof DOCUMENTED - 1);
  uint64_t delay = 77;
  CHECK(!droplet_retry_advice(&r, 1, 2, 0, &delay));
  CHECK(delay == 77);
  droplet_action_result_free(&r);

  const char *not_found = "{\"id\":\"not_found\",\"message\":\"The resource you were accessing "
                          "could not be found.\",\"request_id\":\"r-404\"}";
  r = droplet_response_parse(404, NULL, 0, (const uint8_t *)not_found, strlen(not_found));
  CHECK(r.status == DROPLET_STATUS_API_ERROR);
  CHECK(r.http_status == 404);
  CHECK_STR(r.error_id, "not_found");
  CHECK_STR(r.request_id, "r-404");
  CHECK(!droplet_retry_advice(&r, 1, 2, 0, &delay));
  droplet_action_result_free(&r);

  /* A 503: backoff from 200 ms, full jitter drawn from `random`. */
  r = droplet_response_parse(503, NULL, 0, NULL, 0);
  CHECK(r.status == DROPLET_STATUS_API_ERROR);
  CHECK(droplet_retry_advice(&r, 1, 2, UINT64_MAX, &delay));
  CHECK(delay == 200);
  CHECK(droplet_retry_advice(&r, 2, 2, UINT64_MAX, &delay));
  CHECK(delay == 400);
  CHECK(droplet_retry_advice(&r, 2, 2, 0, &delay));
  CHECK(delay == 0);
  CHECK(!droplet_retry_advice(&r, 3, 2, 0, &delay));
  CHECK(!droplet_retry_advice(&r, 1, 2, 0, NULL));
  CHECK(!droplet_retry_advice(NULL, 1, 2, 0, &delay));
  droplet_action_result_free(&r);
  CHECK(!droplet_retry_advice(&r, 1, 2, 0, &delay));

  /* A 429 with retry-after: the server's pause, not the backoff; too long: no retry. */
  droplet_header retry[] = {{"retry-after", "7"}};
  r = droplet_response_parse(429, retry, 1, NULL, 0);
  CHECK(droplet_retry_advice(&r, 1, 2, 12345, &delay));
  CHECK(delay == 7000);
  droplet_action_result_free(&r);
  droplet_header too_long[] = {{"retry-after", "99999999999999999999"}};
  r = droplet_response_parse(429, too_long, 1, NULL, 0);
  CHECK(!droplet_retry_advice(&r, 1, 2, 12345, &delay));
  droplet_action_result_free(&r);

  /* Broken input. */
  r = droplet_response_parse(200, NULL, 2, NULL, 0);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_action_result_free(&r);
  r = droplet_response_parse(200, NULL, 0, NULL, 5);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_action_result_free(&r);
  droplet_header null_value[] = {{"x-request-id", NULL}};
  r = droplet_response_parse(200, null_value, 1, NULL, 0);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_action_result_free(&r);
  const char *html = "<html><body>502 Bad Gateway</body></html>";
  r = droplet_response_parse(200, NULL, 0, (const uint8_t *)html, strlen(html));
  CHECK(r.status == DROPLET_STATUS_DECODE);
  CHECK(r.raw_body_len == strlen(html));
  droplet_action_result_free(&r);
}

/* ---- many actions at once ---- */

static void test_wait_for_many(void) {
  droplet_client *client = make_client(2, 10);
  /* 900102 completes on the third poll, 900201 ends errored on the second, 900404 is 404. */
  droplet_action_ref refs[3] = {{21, 900102}, {21, 900201}, {21, 900404}};
  droplet_action_result results[3];
  droplet_call_options options = options_with(NULL, 5000, 10);
  droplet_status status = droplet_action_wait_many(client, refs, 3, &options, results);
  CHECK(status == DROPLET_STATUS_ACTION_ERRORED);
  CHECK(results[0].status == DROPLET_STATUS_OK);
  CHECK(droplet_action_result_polls(&results[0]) == 3);
  CHECK(results[0].action != NULL && results[0].action->id == 900102);
  CHECK(results[1].status == DROPLET_STATUS_ACTION_ERRORED);
  CHECK(droplet_action_result_polls(&results[1]) == 2);
  CHECK(results[1].action != NULL &&
        results[1].action->status == DROPLET_ACTION_STATUS_ERRORED);
  CHECK(results[2].status == DROPLET_STATUS_API_ERROR);
  CHECK(results[2].http_status == 404);
  CHECK_STR(results[2].error_id, "not_found");
  for (int i = 0; i < 3; i++) droplet_action_result_free(&results[i]);

  droplet_action_ref done[2] = {{22, 900101}, {22, 900102}};
  status = droplet_action_wait_many(client, done, 2, &options, results);
  CHECK(status == DROPLET_STATUS_OK);
  CHECK(results[0].status == DROPLET_STATUS_OK && results[1].status == DROPLET_STATUS_OK);
  for (int i = 0; i < 2; i++) droplet_action_result_free(&results[i]);

  /* Refused before anything: results untouched. */
  memset(results, 0x5a, sizeof results);
  CHECK(droplet_action_wait_many(client, NULL, 3, &options, results) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_action_wait_many(client, refs, 0, &options, results) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_action_wait_many(client, refs, 3, &options, NULL) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(((unsigned char *)results)[0] == 0x5a);
  /* A NULL client: every result says so. */
  CHECK(droplet_action_wait_many(NULL, refs, 3, &options, results) ==
        DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(results[2].error_message, "invalid argument: client is NULL");
  for (int i = 0; i < 3; i++) droplet_action_result_free(&results[i]);

  /* Cancelled while sleeping between polls: every action ends cancelled, promptly. */
  droplet_cancel_token *cancel = droplet_cancel_token_new();
  struct trigger t = {cancel, 300000L, 0.0};
  pthread_t thread;
  pthread_create(&thread, NULL, trigger_later, &t);
  droplet_action_ref slow[2] = {{23, 900199}, {24, 900199}};
  options = options_with(cancel, 60000, 5000);
  status = droplet_action_wait_many(client, slow, 2, &options, results);
  double returned = now_ms();
  pthread_join(thread, NULL);
  double latency = returned - t.fired_at;
  CHECK(status == DROPLET_STATUS_CANCELLED);
  CHECK(latency >= 0.0 && latency < limit_ms);
  CHECK(results[0].status == DROPLET_STATUS_CANCELLED);
  CHECK(results[1].status == DROPLET_STATUS_CANCELLED);
  CHECK(results[1].action != NULL && results[1].action->id == 900199);
  for (int i = 0; i < 2; i++) droplet_action_result_free(&results[i]);
  droplet_cancel_token_free(cancel);
  droplet_client_free(client);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s BASE_URL LIMIT_MS CALLS\n", argv[0]);
    return 2;
  }
  base_url = argv[1];
  limit_ms = atof(argv[2]);
  int calls = atoi(argv[3]);
  test_a_triggered_token_sends_nothing();
  test_cancel_a_slow_answer();
  test_cancel_a_backoff();
  test_cancel_the_sleep_between_polls();
  test_cancel_a_wait_for_the_request_budget();
  test_cancel_from_a_signal_handler();
  test_calls_cancelled_at_random_moments(calls);
  test_call_options_are_checked();
  test_poll_callback();
  test_log_callback();
  test_last_error_message();
  test_header_promises();
  test_proxy_from_env();
  test_sans_io();
  test_wait_for_many();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
