/*
 * What every benchmark program shares: the command line, the clock, and the one line of
 * results the driver script reads.
 *
 * usage: PROGRAM BASE_URL N [DROPLET_ID ACTION_ID]
 * Makes N sequential calls on one kept-alive connection, checks the id of every answer,
 * and prints
 *   calls=N wall_s=SECONDS cpu_us_per_call=MICROSECONDS maxrss_kib=KIB
 * where the time and CPU cover the calls only, and the peak RSS the whole process.
 */
#ifndef DROPLET_BENCH_COMMON_H
#define DROPLET_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define BENCH_TOKEN "mock-token"
#define BENCH_DROPLET 3164444L
#define BENCH_ACTION 36804636L

struct bench_args {
  const char *base_url;
  long n;
  long droplet_id;
  long action_id;
};

static inline struct bench_args bench_parse_args(int argc, char **argv) {
  struct bench_args args = {NULL, 0, BENCH_DROPLET, BENCH_ACTION};
  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: %s BASE_URL N [DROPLET_ID ACTION_ID]\n", argv[0]);
    exit(2);
  }
  args.base_url = argv[1];
  args.n = strtol(argv[2], NULL, 10);
  if (argc == 5) {
    args.droplet_id = strtol(argv[3], NULL, 10);
    args.action_id = strtol(argv[4], NULL, 10);
  }
  if (args.n < 1) {
    fprintf(stderr, "N must be at least 1\n");
    exit(2);
  }
  return args;
}

struct bench_clock {
  struct timespec wall;
  struct rusage usage;
};

static inline struct bench_clock bench_now(void) {
  struct bench_clock c;
  clock_gettime(CLOCK_MONOTONIC, &c.wall);
  getrusage(RUSAGE_SELF, &c.usage);
  return c;
}

static inline double bench_tv(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static inline void bench_report(long n, struct bench_clock start, struct bench_clock end) {
  double wall = (double)(end.wall.tv_sec - start.wall.tv_sec) +
                (double)(end.wall.tv_nsec - start.wall.tv_nsec) / 1e9;
  double cpu = bench_tv(end.usage.ru_utime) - bench_tv(start.usage.ru_utime) +
               bench_tv(end.usage.ru_stime) - bench_tv(start.usage.ru_stime);
  struct rusage whole;
  getrusage(RUSAGE_SELF, &whole);
  printf("calls=%ld wall_s=%.6f cpu_us_per_call=%.3f maxrss_kib=%ld\n", n, wall,
         cpu * 1e6 / (double)n, whole.ru_maxrss);
}

#endif
