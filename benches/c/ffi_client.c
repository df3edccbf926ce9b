/*
 * N sequential calls through droplet_action_get with one client, checking the id of
 * every answer. See bench_common.h for the command line and the output.
 */
#include "bench_common.h"
#include "droplet_action.h"

int main(int argc, char **argv) {
  struct bench_args args = bench_parse_args(argc, argv);
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  if (builder == NULL || droplet_client_builder_set_token(builder, BENCH_TOKEN) != DROPLET_STATUS_OK ||
      droplet_client_builder_set_base_url(builder, args.base_url) != DROPLET_STATUS_OK ||
      droplet_client_builder_build(builder, &client) != DROPLET_STATUS_OK) {
    fprintf(stderr, "cannot build the client for %s\n", args.base_url);
    return 1;
  }
  struct bench_clock start = bench_now();
  for (long i = 0; i < args.n; i++) {
    droplet_action_result result = droplet_action_get(client, args.droplet_id, args.action_id);
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
  bench_report(args.n, start, end);
  return 0;
}
