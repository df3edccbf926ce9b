/*
 * Many threads on one client: T threads share one droplet_client and each makes N/T
 * sequential calls through droplet_action_get, checking the id of every answer.
 *
 * usage: ffi_threads_client BASE_URL N T
 * prints: calls=N wall_s=SECONDS cpu_us_per_call=MICROSECONDS maxrss_kib=KIB threads=T
 * where the time and CPU cover the calls of all threads (from the moment they are all
 * released to the moment the last one is done), and the peak RSS the whole process.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "bench_common.h"
#include "droplet_action.h"

struct shared {
  const droplet_client *client;
  long calls_per_thread;
  pthread_barrier_t start;
  atomic_int failed;
};

static void *worker(void *arg) {
  struct shared *shared = arg;
  pthread_barrier_wait(&shared->start);
  for (long i = 0; i < shared->calls_per_thread; i++) {
    droplet_action_result result = droplet_action_get(shared->client, BENCH_DROPLET, BENCH_ACTION);
    int ok = result.status == DROPLET_STATUS_OK && result.action != NULL &&
             result.action->has_id && result.action->id == BENCH_ACTION;
    if (!ok) {
      fprintf(stderr, "call %ld: status %s: %s\n", i, droplet_status_str(result.status),
              result.error_message ? result.error_message : "wrong id");
      atomic_store(&shared->failed, 1);
    }
    droplet_action_result_free(&result);
    if (!ok) break;
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s BASE_URL N T\n", argv[0]);
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  long threads = strtol(argv[3], NULL, 10);
  if (threads < 1 || threads > 1024 || n < threads) {
    fprintf(stderr, "need 1 <= T <= 1024 and N >= T\n");
    return 2;
  }
  droplet_client_builder *builder = droplet_client_builder_new();
  droplet_client *client = NULL;
  if (builder == NULL || droplet_client_builder_set_token(builder, BENCH_TOKEN) != DROPLET_STATUS_OK ||
      droplet_client_builder_set_base_url(builder, argv[1]) != DROPLET_STATUS_OK ||
      droplet_client_builder_build(builder, &client) != DROPLET_STATUS_OK) {
    fprintf(stderr, "cannot build the client for %s\n", argv[1]);
    return 1;
  }
  struct shared shared = {client, n / threads, {{0}}, 0};
  pthread_barrier_init(&shared.start, NULL, (unsigned)threads + 1);
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  for (long t = 0; t < threads; t++) {
    if (pthread_create(&ids[t], NULL, worker, &shared) != 0) {
      fprintf(stderr, "cannot start thread %ld\n", t);
      return 1;
    }
  }
  struct bench_clock start = bench_now();
  pthread_barrier_wait(&shared.start);
  for (long t = 0; t < threads; t++) pthread_join(ids[t], NULL);
  struct bench_clock end = bench_now();
  free(ids);
  pthread_barrier_destroy(&shared.start);
  droplet_client_free(client);
  if (atomic_load(&shared.failed)) return 1;
  bench_report(shared.calls_per_thread * threads, start, end);
  printf("threads=%ld\n", threads);
  return 0;
}
