/*
 * What a C programmer writes by hand: libcurl with one reused handle, and cJSON parsing
 * every field of the answer into a struct. N sequential calls, checking the id of every
 * answer. See bench_common.h for the command line and the output.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bench_common.h"

struct buffer {
  char *data;
  size_t len;
  size_t cap;
};

static size_t on_body(char *chunk, size_t size, size_t count, void *user) {
  struct buffer *buf = user;
  size_t n = size * count;
  if (buf->len + n + 1 > buf->cap) {
    size_t cap = buf->cap ? buf->cap : 4096;
    while (cap < buf->len + n + 1) cap *= 2;
    char *data = realloc(buf->data, cap);
    if (data == NULL) return 0;
    buf->data = data;
    buf->cap = cap;
  }
  memcpy(buf->data + buf->len, chunk, n);
  buf->len += n;
  buf->data[buf->len] = '\0';
  return n;
}

struct region {
  char *name;
  char *slug;
  char **sizes;
  size_t sizes_len;
  char **features;
  size_t features_len;
  bool available;
  bool has_available;
};

struct action {
  int64_t id;
  bool has_id;
  char *status;
  char *type;
  char *started_at;
  char *completed_at;
  int64_t resource_id;
  bool has_resource_id;
  char *resource_type;
  struct region *region;
  char *region_slug;
};

static char *dup_string(const cJSON *object, const char *name) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
  return cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
}

static bool get_int(const cJSON *object, const char *name, int64_t *out) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
  if (!cJSON_IsNumber(item)) return false;
  *out = (int64_t)item->valuedouble;
  return true;
}

static char **dup_list(const cJSON *object, const char *name, size_t *len) {
  const cJSON *array = cJSON_GetObjectItemCaseSensitive(object, name);
  *len = 0;
  if (!cJSON_IsArray(array)) return NULL;
  size_t n = (size_t)cJSON_GetArraySize(array);
  char **list = calloc(n ? n : 1, sizeof *list);
  const cJSON *item;
  cJSON_ArrayForEach(item, array) {
    if (cJSON_IsString(item)) list[(*len)++] = strdup(item->valuestring);
  }
  return list;
}

static void free_list(char **list, size_t len) {
  for (size_t i = 0; i < len; i++) free(list[i]);
  free(list);
}

static void free_action(struct action *a) {
  free(a->status);
  free(a->type);
  free(a->started_at);
  free(a->completed_at);
  free(a->resource_type);
  free(a->region_slug);
  if (a->region) {
    free(a->region->name);
    free(a->region->slug);
    free_list(a->region->sizes, a->region->sizes_len);
    free_list(a->region->features, a->region->features_len);
    free(a->region);
  }
}

static bool parse_action(const char *body, size_t len, struct action *out) {
  memset(out, 0, sizeof *out);
  cJSON *root = cJSON_ParseWithLength(body, len);
  if (root == NULL) return false;
  const cJSON *action = cJSON_GetObjectItemCaseSensitive(root, "action");
  if (!cJSON_IsObject(action)) {
    cJSON_Delete(root);
    return false;
  }
  out->has_id = get_int(action, "id", &out->id);
  out->status = dup_string(action, "status");
  out->type = dup_string(action, "type");
  out->started_at = dup_string(action, "started_at");
  out->completed_at = dup_string(action, "completed_at");
  out->has_resource_id = get_int(action, "resource_id", &out->resource_id);
  out->resource_type = dup_string(action, "resource_type");
  out->region_slug = dup_string(action, "region_slug");
  const cJSON *region = cJSON_GetObjectItemCaseSensitive(action, "region");
  if (cJSON_IsObject(region)) {
    struct region *r = calloc(1, sizeof *r);
    r->name = dup_string(region, "name");
    r->slug = dup_string(region, "slug");
    r->sizes = dup_list(region, "sizes", &r->sizes_len);
    r->features = dup_list(region, "features", &r->features_len);
    const cJSON *available = cJSON_GetObjectItemCaseSensitive(region, "available");
    r->has_available = cJSON_IsBool(available);
    r->available = cJSON_IsTrue(available);
    out->region = r;
  }
  cJSON_Delete(root);
  return true;
}

int main(int argc, char **argv) {
  struct bench_args args = bench_parse_args(argc, argv);
  char url[512];
  snprintf(url, sizeof url, "%s/v2/droplets/%ld/actions/%ld", args.base_url, args.droplet_id,
           args.action_id);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = NULL;
  headers = curl_slist_append(headers, "Authorization: Bearer " BENCH_TOKEN);
  headers = curl_slist_append(headers, "Accept: application/json");
  struct buffer body = {NULL, 0, 0};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "bench-curl/1.0");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  struct bench_clock start = bench_now();
  for (long i = 0; i < args.n; i++) {
    body.len = 0;
    CURLcode code = curl_easy_perform(curl);
    long http_status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
    struct action action;
    if (code != CURLE_OK || http_status != 200 || !parse_action(body.data, body.len, &action)) {
      fprintf(stderr, "call %ld: %s, HTTP %ld\n", i, curl_easy_strerror(code), http_status);
      return 1;
    }
    bool ok = action.has_id && action.id == args.action_id;
    free_action(&action);
    if (!ok) {
      fprintf(stderr, "call %ld: wrong id\n", i);
      return 1;
    }
  }
  struct bench_clock end = bench_now();
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  free(body.data);
  bench_report(args.n, start, end);
  return 0;
}
