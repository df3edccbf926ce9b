/*
 * The C program of ffi_client.c with every per-call feature switched on, none of which
 * binds: a request budget far above what the loop can spend (its bookkeeping still runs on
 * every call), a cancel token passed with each call (droplet_action_get_with_options), and a log
 * callback at level 1 (errors only: a successful call logs nothing, which is checked).
 * N sequential calls with one client, checking the id of every answer. See bench_common.h
 * for the command line and the output.
 */
#include <string.h>

#include "bench_common.h"
#include "droplet_action.h"

static unsigned long logged;

static void on_log(void *userdata, uint32_t level, const char *message) {
  (void)userdata;
  (void)level;
  (void)message;
  logged++;
}

int main(int argc, char **argv) {
  struct bench_args args = bench_parse_args(argc, argv);
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  if (builder == NULL || droplet_client_builder_set_token(builder, BENCH_TOKEN) != DROPLET_STATUS_OK ||
      droplet_client_builder_set_base_url(builder, args.base_url) != DROPLET_STATUS_OK ||
      droplet_client_builder_set_requests_per_minute(builder, 1000000000) != DROPLET_STATUS_OK ||
      droplet_client_builder_set_log_callback(builder, on_log, NULL, 1) != DROPLET_STATUS_OK ||
      droplet_client_builder_build(builder, &client) != DROPLET_STATUS_OK) {
    fprintf(stderr, "cannot build the client for %s\n", args.base_url);
    return 1;
  }
  droplet_cancel_token *cancel = droplet_cancel_token_new();
  droplet_call_options options;
  memset(&options, 0, sizeof options);
  options.size = sizeof options;
  options.cancel = cancel;
  struct bench_clock start = bench_now();
  for (long i = 0; i < args.n; i++) {
    droplet_action_result result =
        droplet_action_get_with_options(client, args.droplet_id, args.action_id, &options);
    if (result.status != DROPLET_STATUS_OK || result.action == NULL || !result.action->has_id ||
        result.action->id != args.action_id) {
      fprintf(stderr, "call %ld: status %s: %s\n", i, droplet_status_str(result.status),
              result.error_message ? result.error_message : "wrong id");
      droplet_action_result_free(&result);
      droplet_client_free(client);
      return 1;
    }
    droplet_action_result_free(&result);
  }
  struct bench_clock end = bench_now();
  droplet_client_free(client);
  droplet_cancel_token_free(cancel);
  if (logged != 0) {
    fprintf(stderr, "the log callback was called %lu times on successful calls\n", logged);
    return 1;
  }
  bench_report(args.n, start, end);
  return 0;
}
