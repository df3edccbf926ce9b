/*
 * The C contract of droplet_action.h, checked against the mock server.
 *
 * usage: test_ffi BASE_URL DEAD_URL
 *   BASE_URL  a running mock server (http://127.0.0.1:PORT)
 *   DEAD_URL  a loopback URL where nothing listens
 * Prints one line per failed check and ends with "N passed, M failed".
 */
#include "droplet_action.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

static const char *base_url;
static const char *dead_url;

static droplet_client *make_client(const char *url, const char *token, uint32_t timeout_ms,
                                   uint32_t retries) {
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  CHECK(builder != NULL);
  CHECK(droplet_client_builder_set_token(builder, token) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, url) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_timeout_ms(builder, timeout_ms) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_max_retries(builder, retries) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_backoff_ms(builder, 10, 50) == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);
  CHECK(client != NULL);
  return client;
}

static droplet_client *mock_client(void) {
  return make_client(base_url, "mock-token", 5000, 2);
}

static void test_documented_example_has_every_field(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(r.http_status == 200);
  CHECK(r.attempts == 1);
  CHECK(r.error_message == NULL);
  CHECK(r.error_id == NULL);
  CHECK(r.request_id != NULL);
  CHECK(r.rate_limit.present);
  CHECK(r.rate_limit.limit == 5000);
  CHECK(r.raw_body != NULL);
  CHECK(r.raw_body_len == 903);
  CHECK(r.raw_body != NULL && r.raw_body[r.raw_body_len] == '\0');
  CHECK(r.raw_body != NULL && strncmp(r.raw_body, "{\n  \"action\": {", 15) == 0);
  CHECK(r.action != NULL);
  if (r.action != NULL) {
    const droplet_action *a = r.action;
    CHECK(a->has_id && a->id == 36804636);
    CHECK(a->status == DROPLET_ACTION_STATUS_COMPLETED);
    CHECK_STR(a->status_text, "completed");
    CHECK_STR(a->type, "create");
    CHECK_STR(a->resource_type, "droplet");
    CHECK_STR(a->region_slug, "nyc3");
    CHECK(a->has_resource_id && a->resource_id == 3164444);
    CHECK_STR(a->started_at, "2020-11-14T16:29:21Z");
    CHECK(a->has_started_at && a->started_at_unix == 1605371361);
    CHECK_STR(a->completed_at, "2020-11-14T16:30:06Z");
    CHECK(a->has_completed_at && a->completed_at_unix == 1605371406);
    CHECK(a->region != NULL);
    if (a->region != NULL) {
      const droplet_region *g = a->region;
      CHECK_STR(g->name, "New York 3");
      CHECK_STR(g->slug, "nyc3");
      CHECK(g->has_available && g->available);
      CHECK(g->sizes_len == 14);
      CHECK(g->features_len == 7);
      if (g->sizes_len == 14 && g->features_len == 7) {
        CHECK_STR(g->sizes[0], "s-1vcpu-1gb");
        CHECK_STR(g->sizes[13], "s-32vcpu-192g");
        CHECK_STR(g->features[0], "private_networking");
        CHECK_STR(g->features[6], "image_transfer");
      }
    }
  }
  droplet_action_result_free(&r);
  CHECK(r.action == NULL && r.raw_body == NULL && r.internal == NULL);
  droplet_action_result_free(&r); /* a second free is harmless */
  droplet_action_result_free(NULL);
  droplet_client_free(client);
}

static void test_invalid_arguments(void) {
  droplet_action_result r = droplet_action_get(NULL, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(r.error_message, "invalid argument: client is NULL");
  CHECK(r.attempts == 0 && r.http_status == 0 && r.action == NULL);
  droplet_action_result_free(&r);

  droplet_client *client = mock_client();
  r = droplet_action_get(client, 0, 36804636);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(r.error_message, "invalid argument: invalid droplet id: 0 (ids are integers >= 1)");
  droplet_action_result_free(&r);
  r = droplet_action_get(client, 3164444, -1);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK_STR(r.error_message, "invalid argument: invalid action id: -1 (ids are integers >= 1)");
  droplet_action_result_free(&r);
  /* 0 is the default deadline (ten minutes), not an error. */
  r = droplet_action_wait(client, 3164444, 36804636, 0, 10);
  CHECK(r.status == DROPLET_STATUS_OK);
  droplet_action_result_free(&r);
  r = droplet_action_wait(NULL, 3164444, 36804636, 100, 10);
  CHECK(r.status == DROPLET_STATUS_INVALID_ARGUMENT);
  droplet_action_result_free(&r);
  droplet_client_free(client);

  droplet_client_builder *b = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(NULL, "t") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_token(b, NULL) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_token(b, "") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_token(b, "bad token") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_token(b, "\xff\xfe") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_base_url(b, NULL) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_base_url(b, "\xc3\x28") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_base_url(b, "not a url") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_base_url(b, "ftp://x") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_timeout_ms(b, 0) == DROPLET_STATUS_OK); /* the default */
  CHECK(droplet_client_builder_set_timeout_ms(NULL, 10) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_max_retries(NULL, 1) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_body_limit(b, 0) == DROPLET_STATUS_OK); /* the default */
  CHECK(droplet_client_builder_set_user_agent(b, "a\nb") == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(droplet_client_builder_set_backoff_ms(b, 100, 10) == DROPLET_STATUS_INVALID_ARGUMENT);
  /* No token was accepted, so building fails, frees the builder, and writes nothing. */
  droplet_client *out = NULL;
  CHECK(droplet_client_builder_build(b, &out) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK(droplet_client_builder_build(NULL, &out) == DROPLET_STATUS_INVALID_ARGUMENT);
  b = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(b, "t") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(b, NULL) == DROPLET_STATUS_INVALID_ARGUMENT);
  b = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(b, "t") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(b, "http://api.example.com") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_build(b, &out) == DROPLET_STATUS_INVALID_ARGUMENT);
  CHECK(out == NULL);
  droplet_client_builder_free(droplet_client_builder_new());
  droplet_client_builder_free(NULL);
  droplet_client_free(NULL);
}

static void test_dead_port_is_transport(void) {
  droplet_client *client = make_client(dead_url, "mock-token", 5000, 1);
  droplet_action_result r = droplet_action_get(client, 3164444, 36804636);
  CHECK(r.status == DROPLET_STATUS_TRANSPORT);
  CHECK(r.http_status == 0);
  CHECK(r.attempts == 2);
  CHECK(r.action == NULL);
  CHECK(r.error_message != NULL && strstr(r.error_message, "connection failed") != NULL);
  CHECK(!r.rate_limit.present);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_slow_answer_is_timeout(void) {
  droplet_client *client = make_client(base_url, "mock-token", 200, 0);
  droplet_action_result r = droplet_action_get(client, 3000, 900800);
  CHECK(r.status == DROPLET_STATUS_TIMEOUT);
  CHECK(r.attempts == 1);
  CHECK_STR(r.error_message, "no complete answer within 200ms (attempt 1)");
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void check_api_error(droplet_client *client, int64_t droplet, int64_t action,
                            uint16_t http, const char *id, const char *message) {
  droplet_action_result r = droplet_action_get(client, droplet, action);
  CHECK(r.status == DROPLET_STATUS_API_ERROR);
  CHECK(r.http_status == http);
  CHECK(r.action == NULL);
  CHECK(r.request_id != NULL);
  CHECK(r.rate_limit.present);
  CHECK(r.raw_body != NULL && r.raw_body_len > 0);
  if (id != NULL) {
    CHECK_STR(r.error_id, id);
    CHECK(r.error_message != NULL && strstr(r.error_message, message) != NULL);
  } else {
    CHECK(r.error_id == NULL);
    CHECK(r.raw_body != NULL && strncmp(r.raw_body, "<html>", 6) == 0);
    CHECK(r.error_message != NULL &&
          strncmp(r.error_message, "HTTP 502 Bad Gateway (the body is not a JSON error object)",
                  58) == 0);
  }
  droplet_action_result_free(&r);
}

static void test_api_errors(void) {
  droplet_client *client = mock_client();
  check_api_error(client, 1, 2, 404, "not_found", "The resource you requested could not be found.");
  check_api_error(client, 1, 900401, 401, "unauthorized", "Unable to authenticate you.");
  droplet_client_free(client);
  client = make_client(base_url, "mock-token", 5000, 0);
  check_api_error(client, 2, 900502, 502, NULL, NULL);
  droplet_client_free(client);
  client = make_client(base_url, "wrong-token", 5000, 0);
  check_api_error(client, 3164444, 36804636, 401, "unauthorized", "Unable to authenticate you.");
  droplet_client_free(client);
}

static void test_retries_then_success(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_get(client, 41, 900500);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(r.attempts == 3);
  droplet_action_result_free(&r);
  r = droplet_action_get(client, 42, 900599);
  CHECK(r.status == DROPLET_STATUS_API_ERROR);
  CHECK(r.http_status == 500);
  CHECK(r.attempts == 3);
  CHECK_STR(r.error_id, "server_error");
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_decode_errors(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_get(client, 43, 900600);
  CHECK(r.status == DROPLET_STATUS_DECODE);
  CHECK(r.http_status == 200);
  CHECK(r.action == NULL);
  CHECK(r.raw_body != NULL);
  CHECK(r.error_message != NULL && strstr(r.error_message, "EOF while parsing") != NULL);
  droplet_action_result_free(&r);

  r = droplet_action_get(client, 44, 900605);
  CHECK(r.status == DROPLET_STATUS_DECODE);
  CHECK(r.action == NULL);
  CHECK_STR(r.error_message,
            "the field action.type holds a NUL byte and cannot be passed as a C string");
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_body_too_large(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_get(client, 45, 900700);
  CHECK(r.status == DROPLET_STATUS_BODY_TOO_LARGE);
  CHECK(r.http_status == 200);
  CHECK(r.raw_body == NULL && r.raw_body_len == 0);
  CHECK_STR(r.error_message, "the answer body is larger than the 4194304-byte limit");
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_unusual_actions(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_get(client, 46, 900601);
  CHECK(r.status == DROPLET_STATUS_OK);
  if (r.action != NULL) {
    CHECK(r.action->status == DROPLET_ACTION_STATUS_UNKNOWN);
    CHECK_STR(r.action->status_text, "paused");
    CHECK_STR(r.action->type, "teleport");
  }
  droplet_action_result_free(&r);

  r = droplet_action_get(client, 47, 900602);
  CHECK(r.status == DROPLET_STATUS_OK);
  if (r.action != NULL) {
    CHECK(r.action->status == DROPLET_ACTION_STATUS_IN_PROGRESS);
    CHECK(r.action->completed_at == NULL && !r.action->has_completed_at);
    CHECK(!r.action->has_resource_id && r.action->region_slug == NULL);
    CHECK(r.action->region == NULL);
  }
  droplet_action_result_free(&r);

  r = droplet_action_get(client, 48, 900603);
  CHECK(r.status == DROPLET_STATUS_OK);
  if (r.action != NULL) {
    CHECK(r.action->id == INT64_MAX);
    CHECK(r.action->resource_id == INT64_MAX - 1);
  }
  droplet_action_result_free(&r);

  r = droplet_action_get(client, 49, 900604);
  CHECK(r.status == DROPLET_STATUS_OK);
  if (r.action != NULL) {
    CHECK(!r.action->has_id && r.action->status_text == NULL && r.action->type == NULL);
    CHECK(r.action->status == DROPLET_ACTION_STATUS_UNKNOWN && r.action->region == NULL);
  }
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_wait(void) {
  droplet_client *client = mock_client();
  droplet_action_result r = droplet_action_wait(client, 50, 900102, 5000, 10);
  CHECK(r.status == DROPLET_STATUS_OK);
  CHECK(r.action != NULL && r.action->status == DROPLET_ACTION_STATUS_COMPLETED);
  droplet_action_result_free(&r);

  r = droplet_action_wait(client, 51, 900202, 5000, 10);
  CHECK(r.status == DROPLET_STATUS_ACTION_ERRORED);
  CHECK(r.action != NULL && r.action->status == DROPLET_ACTION_STATUS_ERRORED);
  CHECK_STR(r.error_message, "action 900202 ended with status errored");
  droplet_action_result_free(&r);

  /* A deadline long enough for a first answer even under valgrind, far too short for 99 polls. */
  r = droplet_action_wait(client, 52, 900199, 1000, 20);
  CHECK(r.status == DROPLET_STATUS_TIMEOUT);
  CHECK(r.action != NULL && r.action->status == DROPLET_ACTION_STATUS_IN_PROGRESS);
  CHECK(r.http_status == 200);
  CHECK(r.error_message != NULL && strstr(r.error_message, "last status: in-progress") != NULL);
  droplet_action_result_free(&r);
  droplet_client_free(client);
}

static void test_status_strings_and_version(void) {
  CHECK_STR(droplet_status_str(DROPLET_STATUS_OK), "ok");
  CHECK_STR(droplet_status_str(DROPLET_STATUS_TIMEOUT), "timeout");
  CHECK_STR(droplet_status_str(DROPLET_STATUS_PANIC), "internal panic");
  CHECK_STR(droplet_status_str(DROPLET_STATUS_CANCELLED), "cancelled");
  CHECK_STR(droplet_status_str(DROPLET_STATUS_RATE_LIMITED), "rate limited");
  CHECK_STR(droplet_status_str(11), "unknown status");
  CHECK_STR(droplet_status_str(UINT32_MAX), "unknown status");
  char expected[32];
  snprintf(expected, sizeof expected, "%d.%d.%d", DROPLET_ACTION_VERSION_MAJOR,
           DROPLET_ACTION_VERSION_MINOR, DROPLET_ACTION_VERSION_PATCH);
  CHECK_STR(droplet_version(), expected);
}

#define THREADS 8

struct thread_arg {
  const droplet_client *client;
  int calls;
  int failures;
};

static void *hammer(void *p) {
  struct thread_arg *arg = p;
  for (int i = 0; i < arg->calls; i++) {
    droplet_action_result r = droplet_action_get(arg->client, 3164444, 36804636);
    if (r.status != DROPLET_STATUS_OK || r.action == NULL || r.action->id != 36804636) {
      arg->failures++;
    }
    droplet_action_result_free(&r);
  }
  return NULL;
}

static void test_threads_share_one_client(int calls) {
  droplet_client *client = mock_client();
  pthread_t threads[THREADS];
  struct thread_arg args[THREADS];
  for (int i = 0; i < THREADS; i++) {
    args[i].client = client;
    args[i].calls = calls;
    args[i].failures = 0;
    CHECK(pthread_create(&threads[i], NULL, hammer, &args[i]) == 0);
  }
  int failures = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    failures += args[i].failures;
  }
  CHECK(failures == 0);
  droplet_client_free(client);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s BASE_URL DEAD_URL [CALLS_PER_THREAD]\n", argv[0]);
    return 2;
  }
  base_url = argv[1];
  dead_url = argv[2];
  int calls = argc > 3 ? atoi(argv[3]) : 1000;

  test_documented_example_has_every_field();
  test_invalid_arguments();
  test_dead_port_is_transport();
  test_slow_answer_is_timeout();
  test_api_errors();
  test_retries_then_success();
  test_decode_errors();
  test_body_too_large();
  test_unusual_actions();
  test_wait();
  test_status_strings_and_version();
  test_threads_share_one_client(calls);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
