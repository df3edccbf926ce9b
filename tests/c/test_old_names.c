/*
 * The C names of earlier versions still work: each is an alias of the name that replaced
 * it. Built once with -DDROPLET_ACTION_NO_DEPRECATION_WARNINGS (and -Werror), and once
 * without it, which must fail with a deprecation warning for each old name.
 *
 * Usage: test_old_names BASE_URL
 */
#include <stdlib.h>

#include "check.h"
#include "droplet_action.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
    return 2;
  }
  droplet_client_builder *builder = droplet_client_builder_new();
  CHECK(droplet_client_builder_set_token(builder, "mock-token") == DROPLET_STATUS_OK);
  CHECK(droplet_client_builder_set_base_url(builder, argv[1]) == DROPLET_STATUS_OK);
  droplet_client *client = NULL;
  CHECK(droplet_client_builder_build(builder, &client) == DROPLET_STATUS_OK);

  droplet_cancel *token = droplet_cancel_new();
  CHECK(token != NULL && !droplet_cancel_is_triggered(token));
  droplet_call_options options = {.size = sizeof options, .cancel = token, .poll_interval_ms = 10};

  droplet_action_result r = droplet_action_get_opts(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_OK && r.action != NULL && r.action->id == 36804636);
  droplet_action_result_free(&r);

  r = droplet_action_wait_opts(client, 5, 900102, &options);
  CHECK(r.status == DROPLET_STATUS_OK && droplet_action_result_polls(&r) == 3);
  droplet_action_result_free(&r);

  droplet_action_ref refs[1] = {{6, 900101}};
  droplet_action_result results[1];
  CHECK(droplet_actions_wait(client, refs, 1, &options, results) == DROPLET_STATUS_OK);
  CHECK(droplet_action_result_polls(&results[0]) == 2);
  droplet_action_result_free(&results[0]);

  droplet_cancel_trigger(token);
  CHECK(droplet_cancel_is_triggered(token));
  CHECK(droplet_cancel_token_is_cancelled(token));
  r = droplet_action_get_opts(client, 3164444, 36804636, &options);
  CHECK(r.status == DROPLET_STATUS_CANCELLED);
  droplet_action_result_free(&r);

  droplet_cancel_free(token);
  droplet_client_free(client);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
