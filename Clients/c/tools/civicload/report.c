#include "report.h"

#include <math.h>
#include <string.h>

#include "civicwire/status.h"

#define BAR_WIDTH 40
#define HIST_ROWS 12

typedef struct summary {
    uint64_t errors;
    double ms[7]; /* min mean p50 p90 p99 p99.9 max */
} summary;

static const char *const stat_names[7] = {"min", "mean", "p50", "p90", "p99", "p99.9", "max"};
static const char *const stat_keys[7] = {"min", "mean", "p50", "p90", "p99", "p99_9", "max"};

static summary summarize_hist(const results *r, const histogram *h) {
    summary s = {.errors = r->calls - r->status[CW_OK]};
    s.ms[0] = h->total ? (double)h->min / 1e6 : 0;
    s.ms[1] = hist_mean(h) / 1e6;
    const double ps[4] = {50, 90, 99, 99.9};
    for (int i = 0; i < 4; i++) s.ms[2 + i] = (double)hist_percentile(h, ps[i]) / 1e6;
    s.ms[6] = h->total ? (double)h->max / 1e6 : 0;
    return s;
}

static summary summarize(const results *r) { return summarize_hist(r, r->hist); }

/* ,"KEY":{"min":…,…} for the latencies of one histogram (all zero when it is empty). */
static void json_latency(FILE *out, const char *key, const results *r, const histogram *h) {
    summary s = summarize_hist(r, h);
    fprintf(out, ",\"%s\":{", key);
    for (int i = 0; i < 7; i++) fprintf(out, "%s\"%s\":%.6f", i ? "," : "", stat_keys[i], s.ms[i]);
    fputc('}', out);
}

static void mode_text(char *buf, size_t n, const options *o) {
    int used;
    if (o->rps > 0) {
        used = snprintf(buf, n, "open loop at %.0f calls/s (at most %u in flight), %u connection(s)", o->rps,
                        o->concurrency, o->connections);
    } else {
        used = snprintf(buf, n, "closed loop, %u in flight, %u connection(s)", o->concurrency, o->connections);
    }
    if (o->messages > 1 && used > 0 && (size_t)used < n) {
        snprintf(buf + used, n - (size_t)used, ", %u messages per call", o->messages);
    }
}

/* Rows of a log-scaled histogram between min and max, drawn with bars. */
static void draw_histogram(FILE *out, const histogram *h) {
    if (h->total == 0) return;
    double lo = h->min > 0 ? (double)h->min : 1.0, hi = (double)h->max;
    if (hi <= lo) hi = lo * 1.001;
    double ratio = pow(hi / lo, 1.0 / HIST_ROWS);
    uint64_t rows[HIST_ROWS] = {0};
    for (size_t i = 0; i < HIST_COUNTS; i++) {
        if (h->counts[i] == 0) continue;
        double v = (double)hist_lowest_at(i);
        int row = v <= lo ? 0 : (int)(log(v / lo) / log(ratio));
        if (row >= HIST_ROWS) row = HIST_ROWS - 1;
        if (row < 0) row = 0;
        rows[row] += h->counts[i];
    }
    uint64_t peak = 1;
    for (int i = 0; i < HIST_ROWS; i++) peak = rows[i] > peak ? rows[i] : peak;
    fprintf(out, "\nLatency histogram (ms, upper bound of each row):\n");
    for (int i = 0; i < HIST_ROWS; i++) {
        double upper = lo * pow(ratio, i + 1) / 1e6;
        int len = (int)((double)rows[i] * BAR_WIDTH / (double)peak + 0.5);
        if (rows[i] > 0 && len == 0) len = 1;
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)len);
        bar[len] = 0;
        fprintf(out, "  %10.3f [%9llu] |%s\n", upper, (unsigned long long)rows[i], bar);
    }
}

static void report_text(FILE *out, const options *o, const results *r) {
    summary s = summarize(r);
    char mode[160];
    mode_text(mode, sizeof mode, o);
    fprintf(out, "Summary:\n");
    fprintf(out, "  Target:     %s:%s %s\n", o->host, o->port, o->method);
    fprintf(out, "  Mode:       %s\n", mode);
    fprintf(out, "  Calls:      %llu (%llu errors; %llu warm-up calls skipped)\n", (unsigned long long)r->calls,
            (unsigned long long)s.errors, (unsigned long long)r->warmup_calls);
    fprintf(out, "  Duration:   %.3f s\n", (double)r->elapsed_ns / 1e9);
    fprintf(out, "  Rate:       %.1f calls/s\n", r->rate);
    if (o->retry_ns) {
        fprintf(out, "  Retries:    %llu resent, %llu failed connects\n", (unsigned long long)r->retries,
                (unsigned long long)r->connect_failures);
    }
    fprintf(out, "\nLatency (ms):\n ");
    for (int i = 0; i < 7; i++) fprintf(out, " %s %.3f", stat_names[i], s.ms[i]);
    fprintf(out, "\n\nStatus codes:\n");
    for (int c = 0; c <= CW_CODE_MAX; c++) {
        if (r->status[c]) fprintf(out, "  %-20s %llu\n", cw_code_name(c), (unsigned long long)r->status[c]);
    }
    if (o->histogram) draw_histogram(out, r->hist);
    if (r->error[0]) fprintf(out, "\nStopped early: %s\n", r->error);
}

static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void report_json(FILE *out, const options *o, const results *r) {
    summary s = summarize(r);
    fprintf(out, "{\"target\":");
    char target[300];
    snprintf(target, sizeof target, "%s:%s", o->host, o->port);
    json_string(out, target);
    fprintf(out, ",\"method\":");
    json_string(out, o->method);
    fprintf(out, ",\"mode\":\"%s\",\"concurrency\":%u,\"connections\":%u,\"rps_target\":%.3f", o->rps > 0 ? "open" : "closed",
            o->concurrency, o->connections, o->rps);
    fprintf(out, ",\"calls\":%llu,\"errors\":%llu,\"warmup_calls\":%llu,\"duration_s\":%.6f,\"calls_per_s\":%.3f",
            (unsigned long long)r->calls, (unsigned long long)s.errors, (unsigned long long)r->warmup_calls,
            (double)r->elapsed_ns / 1e9, r->rate);
    fprintf(out, ",\"messages_per_call\":%u", o->messages);
    fprintf(out, ",\"retries\":%llu,\"connect_failures\":%llu", (unsigned long long)r->retries,
            (unsigned long long)r->connect_failures);
    fprintf(out, ",\"latency_ms\":{");
    for (int i = 0; i < 7; i++) fprintf(out, "%s\"%s\":%.6f", i ? "," : "", stat_keys[i], s.ms[i]);
    fputc('}', out);
    json_latency(out, "latency_ok_ms", r, r->hist_ok);
    json_latency(out, "latency_failed_ms", r, r->hist_failed);
    fprintf(out, ",\"status\":{");
    bool first = true;
    for (int c = 0; c <= CW_CODE_MAX; c++) {
        if (r->status[c] == 0) continue;
        fprintf(out, "%s\"%s\":%llu", first ? "" : ",", cw_code_name(c), (unsigned long long)r->status[c]);
        first = false;
    }
    fprintf(out, "},\"error\":");
    json_string(out, r->error);
    fprintf(out, "}\n");
}

static void report_csv(FILE *out, const options *o, const results *r) {
    summary s = summarize(r);
    fprintf(out, "method,mode,concurrency,connections,rps_target,calls,errors,duration_s,calls_per_s");
    for (int i = 0; i < 7; i++) fprintf(out, ",%s_ms", stat_keys[i]);
    fprintf(out, ",status\n");
    fprintf(out, "%s,%s,%u,%u,%.3f,%llu,%llu,%.6f,%.3f", o->method, o->rps > 0 ? "open" : "closed", o->concurrency,
            o->connections, o->rps, (unsigned long long)r->calls, (unsigned long long)s.errors,
            (double)r->elapsed_ns / 1e9, r->rate);
    for (int i = 0; i < 7; i++) fprintf(out, ",%.6f", s.ms[i]);
    fputc(',', out);
    bool first = true;
    for (int c = 0; c <= CW_CODE_MAX; c++) {
        if (r->status[c] == 0) continue;
        fprintf(out, "%s%s=%llu", first ? "" : ";", cw_code_name(c), (unsigned long long)r->status[c]);
        first = false;
    }
    fputc('\n', out);
}

void report(FILE *out, const options *o, const results *r) {
    switch (o->format) {
    case FORMAT_JSON: report_json(out, o, r); break;
    case FORMAT_CSV: report_csv(out, o, r); break;
    default: report_text(out, o, r); break;
    }
}
