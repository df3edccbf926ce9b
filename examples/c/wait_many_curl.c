/*
 * Waits for many actions from one thread, the way a binding with its own event loop does:
 * one sans-IO waiter per action (droplet_waiter_*) decides when to poll, retry, pause and
 * stop; libcurl's multi interface does the HTTP, all transfers at once; the loop sleeps in
 * curl_multi_poll until the next transfer ends or the earliest waiter is due.
 *
 *   DIGITALOCEAN_ACCESS_TOKEN=... ./wait_many_curl POLL_INTERVAL_MS DROPLET:ACTION...
 *   ./wait_many_curl POLL_INTERVAL_MS --range COUNT ACTION   (droplets 1..COUNT, one action)
 *
 * The token comes from DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN), the API from
 * DIGITALOCEAN_API_URL (default https://api.digitalocean.com). Prints one line per action
 * that did not complete, then a summary; exits 0 when every action completed.
 *
 * Build: cc -std=c11 wait_many_curl.c -ldroplet_action -lcurl
 */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "droplet_action.h"

#define MAX_HEADERS 64

/* One action being waited for, and its transfer when one is out. */
struct wait {
  int64_t droplet_id, action_id;
  droplet_waiter *waiter;
  uint64_t due_ms; /* when to ask the waiter again (SLEEP) */
  int done;
  CURL *easy;      /* the transfer out, or NULL */
  struct curl_slist *request_headers;
  char *body;
  size_t body_len;
  char *header_text[MAX_HEADERS * 2]; /* name, value, name, value... */
  size_t headers_len;
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
  struct wait *w = userdata;
  size_t len = size * n;
  char *grown = realloc(w->body, w->body_len + len + 1);
  if (grown == NULL) return 0;
  w->body = grown;
  memcpy(w->body + w->body_len, data, len);
  w->body_len += len;
  return len;
}

/* Keeps each "name: value" header line of the answer (a new status line starts over). */
static size_t on_header(char *data, size_t size, size_t n, void *userdata) {
  struct wait *w = userdata;
  size_t len = size * n;
  if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    for (size_t i = 0; i < w->headers_len * 2; i++) free(w->header_text[i]);
    w->headers_len = 0;
    return len;
  }
  const char *colon = memchr(data, ':', len);
  if (colon == NULL || w->headers_len == MAX_HEADERS) return len;
  size_t name_len = (size_t)(colon - data);
  const char *value = colon + 1;
  size_t value_len = len - name_len - 1;
  while (value_len > 0 && (*value == ' ' || *value == '\t')) value++, value_len--;
  while (value_len > 0 && (value[value_len - 1] == '\r' || value[value_len - 1] == '\n'))
    value_len--;
  char *name_copy = malloc(name_len + 1), *value_copy = malloc(value_len + 1);
  if (name_copy == NULL || value_copy == NULL) {
    free(name_copy);
    free(value_copy);
    return 0;
  }
  memcpy(name_copy, data, name_len);
  name_copy[name_len] = '\0';
  memcpy(value_copy, value, value_len);
  value_copy[value_len] = '\0';
  w->header_text[w->headers_len * 2] = name_copy;
  w->header_text[w->headers_len * 2 + 1] = value_copy;
  w->headers_len++;
  return len;
}

static void clear_transfer(CURLM *multi, struct wait *w) {
  if (w->easy != NULL) {
    curl_multi_remove_handle(multi, w->easy);
    curl_easy_cleanup(w->easy);
    w->easy = NULL;
  }
  curl_slist_free_all(w->request_headers);
  w->request_headers = NULL;
  free(w->body);
  w->body = NULL;
  w->body_len = 0;
  for (size_t i = 0; i < w->headers_len * 2; i++) free(w->header_text[i]);
  w->headers_len = 0;
}

/* Starts the request the waiter asked for. Returns 0 on success. */
static int start_transfer(CURLM *multi, struct wait *w, const char *base_url, const char *token,
                          uint32_t timeout_ms) {
  droplet_request request;
  if (droplet_request_build(base_url, token, w->droplet_id, w->action_id, &request) !=
      DROPLET_STATUS_OK) {
    fprintf(stderr, "request: %s\n", droplet_last_error_message());
    return -1;
  }
  w->easy = curl_easy_init();
  if (w->easy == NULL) {
    droplet_request_free(&request);
    return -1;
  }
  for (size_t i = 0; i < request.headers_len; i++) {
    size_t len = strlen(request.headers[i].name) + strlen(request.headers[i].value) + 3;
    char *line = malloc(len);
    if (line == NULL) break;
    snprintf(line, len, "%s: %s", request.headers[i].name, request.headers[i].value);
    w->request_headers = curl_slist_append(w->request_headers, line);
    free(line);
  }
  curl_easy_setopt(w->easy, CURLOPT_URL, request.url);
  curl_easy_setopt(w->easy, CURLOPT_HTTPHEADER, w->request_headers);
  curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
  curl_easy_setopt(w->easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(w->easy, CURLOPT_HEADERDATA, w);
  curl_easy_setopt(w->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(w->easy, CURLOPT_PRIVATE, w);
  curl_easy_setopt(w->easy, CURLOPT_NOSIGNAL, 1L);
  droplet_request_free(&request);
  return curl_multi_add_handle(multi, w->easy) == CURLM_OK ? 0 : -1;
}

/* Feeds what a finished transfer brought back. */
static void finish_transfer(CURLM *multi, struct wait *w, CURLcode code) {
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &status);
  droplet_header headers[MAX_HEADERS];
  for (size_t i = 0; i < w->headers_len; i++) {
    headers[i].name = w->header_text[i * 2];
    headers[i].value = w->header_text[i * 2 + 1];
  }
  droplet_waiter_feed(w->waiter, now_ms(), code == CURLE_OK ? (uint16_t)status : 0,
                      w->headers_len > 0 ? headers : NULL, w->headers_len,
                      (const uint8_t *)w->body, w->body_len);
  clear_transfer(multi, w);
  w->due_ms = 0;
}

/* The threads of this process now (Linux), to show that the waits took none of their own. */
static int threads(void) {
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  int count = -1;
  while (status != NULL && fgets(line, sizeof line, status) != NULL) {
    if (sscanf(line, "Threads: %d", &count) == 1) break;
  }
  if (status != NULL) fclose(status);
  return count;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s POLL_INTERVAL_MS DROPLET:ACTION... | --range COUNT ACTION\n",
            argv[0]);
    return 2;
  }
  const char *token = getenv("DIGITALOCEAN_ACCESS_TOKEN");
  if (token == NULL || *token == '\0') token = getenv("DIGITALOCEAN_TOKEN");
  const char *base_url = getenv("DIGITALOCEAN_API_URL");
  if (token == NULL || *token == '\0') {
    fprintf(stderr, "set DIGITALOCEAN_ACCESS_TOKEN\n");
    return 2;
  }
  size_t count = 0;
  int64_t range_action = 0;
  if (strcmp(argv[2], "--range") == 0 && argc == 5) {
    count = (size_t)strtoull(argv[3], NULL, 10);
    range_action = strtoll(argv[4], NULL, 10);
  } else {
    count = (size_t)(argc - 2);
  }
  struct wait *waits = calloc(count == 0 ? 1 : count, sizeof *waits);
  if (waits == NULL) return 1;
  droplet_call_options options = {.size = sizeof(droplet_call_options),
                                  .poll_interval_ms = (uint32_t)strtoul(argv[1], NULL, 10)};
  uint64_t start = now_ms();
  for (size_t i = 0; i < count; i++) {
    if (range_action != 0) {
      waits[i].droplet_id = (int64_t)i + 1;
      waits[i].action_id = range_action;
    } else if (sscanf(argv[i + 2], "%" SCNd64 ":%" SCNd64, &waits[i].droplet_id,
                      &waits[i].action_id) != 2) {
      fprintf(stderr, "not DROPLET:ACTION: %s\n", argv[i + 2]);
      return 2;
    }
    waits[i].waiter = droplet_waiter_new(waits[i].droplet_id, waits[i].action_id, &options, start);
    if (waits[i].waiter == NULL) {
      fprintf(stderr, "%s\n", droplet_last_error_message());
      return 2;
    }
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM *multi = curl_multi_init();
  /* A few connections, kept alive and shared by every wait (the mock server has 8 workers). */
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 4L);
  size_t left = count, completed = 0;
  unsigned long polls = 0, requests = 0;
  while (left > 0) {
    uint64_t now = now_ms(), earliest = UINT64_MAX;
    for (size_t i = 0; i < count; i++) {
      struct wait *w = &waits[i];
      if (w->done || w->easy != NULL || w->due_ms > now) {
        if (!w->done && w->easy == NULL && w->due_ms < earliest) earliest = w->due_ms;
        continue;
      }
      droplet_wait_step step;
      droplet_waiter_next(w->waiter, now, &step);
      if (step.kind == DROPLET_WAIT_SEND) {
        if (start_transfer(multi, w, base_url, token, step.timeout_ms) != 0) {
          clear_transfer(multi, w);
          droplet_waiter_feed(w->waiter, now, 0, NULL, 0, NULL, 0);
        }
      } else if (step.kind == DROPLET_WAIT_SLEEP) {
        w->due_ms = step.until_ms;
        if (w->due_ms < earliest) earliest = w->due_ms;
      } else {
        droplet_action_result result = droplet_waiter_result(w->waiter, now);
        polls += droplet_action_result_polls(&result);
        requests += result.attempts;
        if (result.status == DROPLET_STATUS_OK) {
          completed++;
        } else {
          printf("%" PRId64 ":%" PRId64 " %s: %s\n", w->droplet_id, w->action_id,
                 droplet_status_str(result.status),
                 result.error_message ? result.error_message : "");
        }
        droplet_action_result_free(&result);
        w->done = 1;
        left--;
      }
    }
    if (left == 0) break;
    int running = 0;
    curl_multi_perform(multi, &running);
    CURLMsg *message;
    int queued, finished = 0;
    while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
      if (message->msg != CURLMSG_DONE) continue;
      struct wait *w = NULL;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&w);
      finish_transfer(multi, w, message->data.result);
      finished = 1;
    }
    if (finished) continue; /* their waiters have something to say now */
    now = now_ms();
    int wait_ms = earliest == UINT64_MAX ? 1000 : earliest <= now ? 0 : (int)(earliest - now);
    if (wait_ms > 1000) wait_ms = 1000;
    curl_multi_poll(multi, NULL, 0, wait_ms, NULL);
  }
  printf("%zu waits on %d thread(s): %zu completed, %zu not; %lu polls, %lu requests\n", count,
         threads(), completed, count - completed, polls, requests);
  for (size_t i = 0; i < count; i++) droplet_waiter_free(waits[i].waiter);
  free(waits);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return completed == count ? 0 : 1;
}
