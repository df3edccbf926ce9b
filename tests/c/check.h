/*
 * The checks the C test programs count: each passed or failed check adds one, and a failed
 * one prints where and what. A program prints "N passed, M failed" at its end.
 */
#ifndef DROPLET_TEST_CHECK_H
#define DROPLET_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int passed;
static int failed;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (cond) {                                                              \
      passed++;                                                              \
    } else {                                                                 \
      failed++;                                                              \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__,  \
              __func__, #cond);                                              \
    }                                                                        \
  } while (0)

#define CHECK_STR(actual, expected)                                          \
  do {                                                                       \
    const char *a_ = (actual);                                               \
    const char *e_ = (expected);                                             \
    if (a_ != NULL && strcmp(a_, e_) == 0) {                                 \
      passed++;                                                              \
    } else {                                                                 \
      failed++;                                                              \
      fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n",         \
              __FILE__, __LINE__, __func__, #actual, a_ ? a_ : "(null)", e_); \
    }                                                                        \
  } while (0)

#define CHECK_PREFIX(actual, prefix)                                         \
  do {                                                                       \
    const char *a_ = (actual);                                               \
    const char *p_ = (prefix);                                               \
    if (a_ != NULL && strncmp(a_, p_, strlen(p_)) == 0) {                    \
      passed++;                                                              \
    } else {                                                                 \
      failed++;                                                              \
      fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected it to start \"%s\"\n", \
              __FILE__, __LINE__, __func__, #actual, a_ ? a_ : "(null)", p_); \
    }                                                                        \
  } while (0)

#endif
