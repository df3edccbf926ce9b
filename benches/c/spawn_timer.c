/*
 * Times whole processes: runs a command K times, one after the other, and prints the
 * median and the minimum wall time from spawn to exit.
 *
 * usage: spawn_timer K COMMAND [ARGS...]
 * prints: runs=K median_ms=M min_ms=M
 * The command's output goes to /dev/null; any failed run fails the timer.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s K COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  long k = strtol(argv[1], NULL, 10);
  if (k < 1) return 2;
  double *ms = calloc((size_t)k, sizeof *ms);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  for (long i = 0; i < k; i++) {
    struct timespec start, end;
    pid_t pid;
    int status;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (posix_spawn(&pid, argv[2], &actions, NULL, argv + 2, environ) != 0) {
      perror("posix_spawn");
      return 1;
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "run %ld of %s failed\n", i, argv[2]);
      return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    ms[i] = (double)(end.tv_sec - start.tv_sec) * 1e3 +
            (double)(end.tv_nsec - start.tv_nsec) / 1e6;
  }
  qsort(ms, (size_t)k, sizeof *ms, compare);
  printf("runs=%ld median_ms=%.3f min_ms=%.3f\n", k, ms[k / 2], ms[0]);
  free(ms);
  return 0;
}
