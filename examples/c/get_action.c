/*
 * Retrieves one droplet action through the C API and prints its main fields.
 *
 *   DIGITALOCEAN_ACCESS_TOKEN=... ./get_action 3164444 36804636
 *
 * The token comes from DIGITALOCEAN_ACCESS_TOKEN (or DIGITALOCEAN_TOKEN); the API from
 * DIGITALOCEAN_API_URL (default https://api.digitalocean.com), so pointing that variable at
 * the bundled mock server (droplet-action-mock --port 0) runs it with no account at all.
 */
#include "droplet_action.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DROPLET_ID ACTION_ID\n", argv[0]);
    return 2;
  }
  droplet_client *client = droplet_client_new_from_env();
  if (client == NULL) {
    fprintf(stderr, "set DIGITALOCEAN_ACCESS_TOKEN (and DIGITALOCEAN_API_URL for a mock)\n");
    return 2;
  }

  droplet_action_result result =
      droplet_action_get(client, strtoll(argv[1], NULL, 10), strtoll(argv[2], NULL, 10));
  int exit_code = 0;
  if (result.status == DROPLET_STATUS_OK) {
    const droplet_action *action = result.action;
    printf("action %" PRId64 ": %s %s, %s", action->id, action->type ? action->type : "?",
           action->status_text ? action->status_text : "?",
           action->region_slug ? action->region_slug : "no region");
    if (action->has_completed_at) {
      printf(", completed at %s", action->completed_at);
    }
    printf("\n");
  } else {
    fprintf(stderr, "error (%s): %s\n", droplet_status_str(result.status), result.error_message);
    if (result.request_id != NULL) {
      fprintf(stderr, "request id: %s\n", result.request_id);
    }
    exit_code = 1;
  }
  droplet_action_result_free(&result);
  droplet_client_free(client);
  return exit_code;
}
