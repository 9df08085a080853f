/*
 * yamlparse: the "bare libyaml parse" baseline for scripts/bench.
 *
 *   cc -O2 scripts/yamlparse.c -lyaml -o /tmp/yamlparse
 *   /tmp/yamlparse FILE [N]
 *
 * Reads FILE once into memory, then N times (default 1) runs libyaml's event
 * parser over the bytes (yaml_parser_parse: scanning and parsing only, no
 * document composition), discarding every event. Prints nothing and exits 0
 * on success; on a YAML error prints one line to stderr and exits 1; on a
 * usage or I/O error exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) { fclose(f); return NULL; }
    for (;;) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); fclose(f); return NULL; }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return NULL; }
    *len = n;
    return buf;
}

static int parse_once(const unsigned char *data, size_t len, const char *path) {
    yaml_parser_t parser;
    yaml_event_t event;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "yamlparse: cannot initialize libyaml\n");
        return 2;
    }
    yaml_parser_set_input_string(&parser, data, len);
    int rc = 0;
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "yamlparse: %s:%lu:%lu: %s\n", path,
                    (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "parse error");
            rc = 1;
            break;
        }
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s FILE [N]\n", argv[0]);
        return 2;
    }
    long n = 1;
    if (argc == 3) {
        char *end;
        errno = 0;
        n = strtol(argv[2], &end, 10);
        if (errno || *end || n < 1) {
            fprintf(stderr, "yamlparse: N must be a positive integer\n");
            return 2;
        }
    }
    size_t len = 0;
    unsigned char *data = read_all(argv[1], &len);
    if (!data) {
        fprintf(stderr, "yamlparse: %s: %s\n", argv[1], strerror(errno ? errno : EIO));
        return 2;
    }
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) rc = parse_once(data, len, argv[1]);
    free(data);
    return rc;
}
