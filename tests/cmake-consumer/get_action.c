/* Retrieves the documented action through droplet_action.h and prints
 * "action ID: TYPE STATUS". */
#include <droplet_action.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define TEXT(s) ((s) != NULL ? (s) : "-")

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s DROPLET_ID ACTION_ID\n", argv[0]);
    return 2;
  }
  droplet_client *client = droplet_client_new_from_env();
  if (client == NULL) return 2;
  droplet_action_result r =
      droplet_action_get(client, strtoll(argv[1], NULL, 10), strtoll(argv[2], NULL, 10));
  int failed = r.status != DROPLET_STATUS_OK;
  if (failed) {
    fprintf(stderr, "%s: %s\n", droplet_status_str(r.status), TEXT(r.error_message));
  } else {
    printf("action %" PRId64 ": %s %s\n", r.action->id, TEXT(r.action->type),
           TEXT(r.action->status_text));
  }
  droplet_action_result_free(&r);
  droplet_client_free(client);
  return failed;
}
