#include "runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civicwire/civicwire.h"
#include "keyed.h"
#include "sampling.h"
#include "stream.h"
#include <sys/random.h>

#define PROGRESS_EVERY_NS 1000000000LL

struct runner;

/* One call in flight: what the completion needs to measure it (and, keyed, to resend it). */
typedef struct slot {
    struct runner *rn;
    int64_t start_ns; /* intended send time in open loop, actual start in closed loop */
    bool warm;
    struct slot *next_free;
    /* Keyed calls (--key-field): the request with this call's key, sent again on retry. */
    uint8_t *request; /* NULL: the shared options request */
    size_t request_len;
    char key[KEY_MAX + 1];
    uint32_t attempts;
    int64_t retry_at;  /* when waiting to be sent again */
    struct slot *next_retry;
    /* Client streaming (--messages): the call whose messages are still being queued. */
    cw_call *call;
    uint32_t left;     /* messages not yet queued */
    bool sending;      /* on the runner's sending list */
    struct slot *next_sending;
} slot;

typedef struct runner {
    const options *o;
    results *r;
    cw_conn *conns[MAX_CONNECTIONS];
    uint32_t rr;
    slot *slots;
    slot *free_slots;
    uint32_t in_flight;
    uint64_t warm_issued;
    uint64_t measured_issued;
    bool warming;
    bool stop;
    int64_t t0;
    int64_t measure_start; /* 0 until the first measured call */
    int64_t last_done;
    uint64_t sched_k; /* open loop: index of the next scheduled call */
    int64_t next_progress;
    bool progress_tty;
    int progress_len;
    int signal_fd; /* SIGINT/SIGTERM: stop sending, let calls in flight finish, report */
    sampler trace; /* --trace-sample */
    uint64_t keys_made;
    slot *retries;     /* keyed calls waiting to be sent again, unordered */
    int64_t reconnect_at[MAX_CONNECTIONS]; /* --retry: no connect attempt on i before this */
    uint64_t backoff_rng;
    FILE *ack_log;
    slot *sending; /* calls with messages left to queue (--messages), unordered */
} runner;

int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Takes s off the sending list (its call ended before all its messages were queued). */
static void stop_sending(runner *rn, slot *s) {
    if (!s->sending) return;
    for (slot **link = &rn->sending; *link; link = &(*link)->next_sending) {
        if (*link == s) {
            *link = s->next_sending;
            break;
        }
    }
    s->sending = false;
}

static void on_event(cw_call *call, cw_call_event ev, void *user) {
    slot *s = user;
    runner *rn = s->rn;
    if (ev == CW_EVENT_MESSAGE) { /* streaming responses: consume so the window keeps moving */
        uint8_t *m;
        size_t len;
        while (cw_call_next_message(call, &m, &len) == CW_OK) free(m);
        return;
    }
    if (ev != CW_EVENT_DONE) return;
    int64_t now = mono_ns();
    int code = cw_call_status(call)->code;
    stop_sending(rn, s);
    s->call = NULL;
    cw_call_free(call);
    if (rn->o->retry_ns && keyed_retryable(code) && now - s->start_ns < rn->o->retry_ns) {
        s->retry_at = now + keyed_backoff_ns(s->attempts, &rn->backoff_rng);
        s->next_retry = rn->retries;
        rn->retries = s;
        return; /* still in flight */
    }
    if (rn->ack_log && s->key[0]) fprintf(rn->ack_log, "%s %s %u\n", s->key, cw_code_name(code), s->attempts);
    if (s->warm) {
        rn->r->warmup_calls++;
    } else {
        hist_record(rn->r->hist, now - s->start_ns);
        hist_record(code == CW_OK ? rn->r->hist_ok : rn->r->hist_failed, now - s->start_ns);
        rn->r->status[code >= 0 && code <= CW_CODE_MAX ? code : CW_UNKNOWN]++;
        rn->r->calls++;
        rn->last_done = now;
    }
    s->next_free = rn->free_slots;
    rn->free_slots = s;
    rn->in_flight--;
}

static void stop_with(runner *rn, const char *what, const char *detail) {
    if (!rn->stop) snprintf(rn->r->error, sizeof rn->r->error, "%s: %.250s", what, detail);
    rn->stop = true;
}

/* Connection i, opened. A failure stops the run, unless --retry: then i waits a backoff. */
static cw_conn *open_conn(runner *rn, uint32_t i) {
    cw_conn_opts copts = {.user_agent = "civicload/1.0", .tls = rn->o->tls_on ? &rn->o->tls : NULL};
    cw_conn *c = NULL;
    char err[256];
    if (rn->o->retry_ns && mono_ns() < rn->reconnect_at[i]) return NULL;
    if (cw_conn_open(rn->o->host, rn->o->port, &copts, &c, err, sizeof err) != CW_OK) {
        if (!rn->o->retry_ns) {
            stop_with(rn, "cannot connect", err);
        } else {
            rn->r->connect_failures++;
            rn->reconnect_at[i] = mono_ns() + keyed_backoff_ns(4, &rn->backoff_rng);
        }
        return NULL;
    }
    return c;
}

/* The next usable connection, round robin; closed ones are reopened. */
static cw_conn *next_conn(runner *rn) {
    for (uint32_t tries = 0; tries < rn->o->connections; tries++) {
        uint32_t i = rn->rr++ % rn->o->connections;
        cw_conn *c = rn->conns[i];
        if (c && cw_conn_state_of(c) == CW_CONN_READY) return c;
        if (c && cw_conn_state_of(c) == CW_CONN_CLOSED) {
            cw_conn_free(c);
            rn->conns[i] = NULL;
        }
        if (rn->conns[i] == NULL) {
            rn->conns[i] = open_conn(rn, i);
            if (rn->conns[i]) {
                rn->r->reconnects++;
                return rn->conns[i];
            }
            if (!rn->o->retry_ns) return NULL;
        }
    }
    return NULL; /* all draining */
}

static bool in_warmup(runner *rn, int64_t now) {
    if (!rn->warming) return false;
    const options *o = rn->o;
    if ((o->warmup_calls && rn->warm_issued < o->warmup_calls) || (o->warmup_ns && now - rn->t0 < o->warmup_ns)) {
        return true;
    }
    rn->warming = false;
    return false;
}

static bool want_more(runner *rn, int64_t now) {
    if (rn->stop) return false;
    if (in_warmup(rn, now)) return true;
    if (rn->o->total) return rn->measured_issued < rn->o->total;
    return rn->measure_start == 0 || now < rn->measure_start + rn->o->duration_ns;
}

/* Sends s's request on c. Returns the client's code (CW_OK when the call is under way). */
static cw_code send_call(runner *rn, cw_conn *c, slot *s) {
    cw_call_opts co = {.timeout_micros = rn->o->timeout_us, .metadata = &rn->o->metadata, .on_event = on_event,
                       .user = s};
    char traceparent[CW_TRACEPARENT_LEN + 1];
    cw_trace_context trace;
    if (sampler_next(&rn->trace) && cw_trace_context_random(&trace) == CW_OK &&
        cw_traceparent_format(&trace, traceparent, sizeof traceparent) == CW_OK) {
        co.traceparent = traceparent;
    }
    cw_call *call;
    s->attempts++;
    cw_code rc = cw_call_start(c, rn->o->method, &co, &call);
    if (rc != CW_OK) return rc;
    s->call = call;
    s->left = rn->o->messages;
    rc = s->request ? stream_send(call, s->request, s->request_len, &s->left)
                    : stream_send(call, rn->o->request, rn->o->request_len, &s->left);
    if (rc == CW_AGAIN) { /* the rest once the connection has sent some */
        s->sending = true;
        s->next_sending = rn->sending;
        rn->sending = s;
        return CW_OK;
    }
    if (rc != CW_OK) {
        s->call = NULL;
        cw_call_free(call);
    }
    return rc;
}

/* Queues more messages of every call that has some left; a call that fails to take them is
 * cancelled, and ends through its DONE event like any other. */
static void pump_sending(runner *rn) {
    slot **link = &rn->sending;
    while (*link) {
        slot *s = *link;
        cw_code rc = s->request ? stream_send(s->call, s->request, s->request_len, &s->left)
                                : stream_send(s->call, rn->o->request, rn->o->request_len, &s->left);
        if (rc == CW_AGAIN) {
            link = &s->next_sending;
            continue;
        }
        *link = s->next_sending;
        s->sending = false;
        if (rc != CW_OK) cw_call_cancel(s->call);
    }
}

/* Gives s the next key (--key-field), in its own copy of the request. */
static bool make_keyed(runner *rn, slot *s) {
    const options *o = rn->o;
    size_t cap = o->request_len + KEY_FIELD_OVERHEAD;
    if (s->request == NULL && (s->request = malloc(cap)) == NULL) {
        stop_with(rn, "out of memory", "keyed request");
        return false;
    }
    snprintf(s->key, sizeof s->key, "%s%llu", o->key_prefix, (unsigned long long)++rn->keys_made);
    if (!keyed_append(o->request, o->request_len, o->key_field, s->key, s->request, cap, &s->request_len)) {
        stop_with(rn, "cannot add the key", s->key);
        return false;
    }
    return true;
}

static bool issue(runner *rn, int64_t start_ns, int64_t now) {
    cw_conn *c = next_conn(rn);
    if (c == NULL) return false; /* failed to connect (stops the run unless --retry), or all draining */
    slot *s = rn->free_slots;
    s->rn = rn;
    s->start_ns = start_ns;
    s->warm = in_warmup(rn, now);
    s->attempts = 0;
    if (rn->o->key_field && !make_keyed(rn, s)) return false;
    rn->free_slots = s->next_free;
    cw_code rc = send_call(rn, c, s);
    if (rc != CW_OK && rn->o->retry_ns && keyed_retryable(rc)) {
        s->retry_at = now + keyed_backoff_ns(s->attempts, &rn->backoff_rng);
        s->next_retry = rn->retries;
        rn->retries = s;
        rc = CW_OK; /* counted as in flight below; sent again later */
    }
    if (rc != CW_OK) {
        s->next_free = rn->free_slots;
        rn->free_slots = s;
        if (s->key[0] && rn->ack_log) fprintf(rn->ack_log, "%s %s %u\n", s->key, cw_code_name(rc), s->attempts);
        if (rc == CW_UNIMPLEMENTED) stop_with(rn, "bad method name", rn->o->method);
        if (rc == CW_RESOURCE_EXHAUSTED) stop_with(rn, "request rejected", "larger than the server accepts");
        return false;
    }
    rn->in_flight++;
    if (s->warm) {
        rn->warm_issued++;
    } else {
        if (rn->measure_start == 0) rn->measure_start = start_ns;
        rn->measured_issued++;
    }
    return true;
}

/* Sends again every keyed call whose backoff is over. Returns when the next one is due, or 0. */
static int64_t resend_due(runner *rn) {
    int64_t now = mono_ns(), next = 0;
    slot **link = &rn->retries;
    while (*link) {
        slot *s = *link;
        if (s->retry_at > now) {
            if (next == 0 || s->retry_at < next) next = s->retry_at;
            link = &s->next_retry;
            continue;
        }
        cw_conn *c = next_conn(rn);
        cw_code rc = c ? send_call(rn, c, s) : CW_UNAVAILABLE;
        if (rc == CW_OK) {
            *link = s->next_retry;
            rn->r->retries++;
            continue;
        }
        if (keyed_retryable(rc) && now - s->start_ns < rn->o->retry_ns) { /* no connection yet */
            s->retry_at = now + keyed_backoff_ns(s->attempts, &rn->backoff_rng);
            if (next == 0 || s->retry_at < next) next = s->retry_at;
            link = &s->next_retry;
            continue;
        }
        *link = s->next_retry; /* out of time, or refused for good: the call ends with rc */
        if (rn->ack_log) fprintf(rn->ack_log, "%s %s %u\n", s->key, cw_code_name(rc), s->attempts);
        if (!s->warm) {
            rn->r->status[rc >= 0 && rc <= CW_CODE_MAX ? rc : CW_UNKNOWN]++;
            rn->r->calls++;
        }
        s->next_free = rn->free_slots;
        rn->free_slots = s;
        rn->in_flight--;
    }
    return next;
}

static int64_t earlier(int64_t a, int64_t b) { return a == 0 ? b : b == 0 ? a : a < b ? a : b; }

/* Starts every call that is due. Returns the time the next one is due, or 0. */
static int64_t issue_due(runner *rn) {
    const options *o = rn->o;
    int64_t next_retry = rn->retries ? resend_due(rn) : 0;
    int64_t now = mono_ns();
    if (o->rps <= 0) {
        while (rn->in_flight < o->concurrency && want_more(rn, now) && issue(rn, now, now)) now = mono_ns();
        return next_retry;
    }
    double interval = 1e9 / o->rps;
    for (;;) {
        int64_t due = rn->t0 + (int64_t)((double)rn->sched_k * interval);
        if (!want_more(rn, due)) return next_retry;
        if (due > now) return earlier(due, next_retry);
        if (rn->in_flight >= o->concurrency) return next_retry; /* late: latency will show it */
        if (!issue(rn, due, now)) return next_retry;
        rn->sched_k++;
    }
}

static void progress(runner *rn, bool final) {
    if (rn->o->progress == 0 || (rn->o->progress < 0 && !rn->progress_tty)) return;
    int64_t now = mono_ns();
    if (!final && now < rn->next_progress) return;
    rn->next_progress = now + PROGRESS_EVERY_NS;
    if (final) {
        if (rn->progress_tty) fprintf(stderr, "\r%*s\r", rn->progress_len, "");
        return;
    }
    uint64_t errors = rn->r->calls - rn->r->status[CW_OK];
    double secs = rn->measure_start ? (double)(now - rn->measure_start) / 1e9 : 0;
    int n = fprintf(stderr, "%s[%6.1fs] %llu calls  %.0f calls/s  %llu errors  %u in flight%s",
                    rn->progress_tty ? "\r" : "", (double)(now - rn->t0) / 1e9, (unsigned long long)rn->r->calls,
                    secs > 0 ? (double)rn->r->calls / secs : 0.0, (unsigned long long)errors, rn->in_flight,
                    rn->progress_tty ? "" : "\n");
    if (n > rn->progress_len) rn->progress_len = n;
}

/* Reads a pending SIGINT/SIGTERM: the first stops new calls, a second one cancels the rest. */
static void on_signal(runner *rn) {
    struct signalfd_siginfo si;
    if (read(rn->signal_fd, &si, sizeof si) != (ssize_t)sizeof si) return;
    if (rn->stop) {
        for (uint32_t i = 0; i < rn->o->connections; i++) {
            if (rn->conns[i]) cw_conn_close(rn->conns[i]);
        }
        return;
    }
    stop_with(rn, "interrupted", si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
}

static void loop(runner *rn) {
    struct pollfd pfds[MAX_CONNECTIONS + 1];
    for (;;) {
        int64_t next_due = issue_due(rn);
        int64_t now = mono_ns();
        if (rn->in_flight == 0 && !want_more(rn, now)) break;
        int64_t wait_ns = PROGRESS_EVERY_NS / 4;
        if (next_due) wait_ns = next_due - now < wait_ns ? next_due - now : wait_ns;
        if (rn->o->retry_ns && wait_ns > 50000000) wait_ns = 50000000; /* reconnect promptly */
        uint32_t n = rn->o->connections;
        for (uint32_t i = 0; i < n; i++) {
            cw_conn *c = rn->conns[i];
            pfds[i] = (struct pollfd){.fd = -1};
            if (c == NULL) continue;
            cw_conn_process(c, 0); /* send what was just started */
            pfds[i].fd = cw_conn_fd(c);
            pfds[i].events = cw_conn_poll_events(c);
            int ms = cw_conn_timeout_ms(c);
            if (ms >= 0 && (int64_t)ms * 1000000 < wait_ns) wait_ns = (int64_t)ms * 1000000;
        }
        if (rn->in_flight == 0 && rn->stop) break;
        if (wait_ns < 0) wait_ns = 0;
        struct timespec ts = {.tv_sec = wait_ns / 1000000000, .tv_nsec = wait_ns % 1000000000};
        pfds[n] = (struct pollfd){.fd = rn->signal_fd, .events = POLLIN};
        int ready = ppoll(pfds, n + 1, &ts, NULL);
        if (ready > 0 && (pfds[n].revents & POLLIN)) on_signal(rn);
        for (uint32_t i = 0; i < n && ready >= 0; i++) {
            cw_conn *c = rn->conns[i];
            if (c == NULL) continue;
            if (pfds[i].revents || cw_conn_timeout_ms(c) == 0) cw_conn_process(c, pfds[i].revents);
        }
        if (rn->sending) pump_sending(rn);
        progress(rn, false);
    }
}

int run_load(const options *o, results *r) {
    memset(r, 0, sizeof *r);
    r->hist = malloc(sizeof *r->hist);
    r->hist_ok = malloc(sizeof *r->hist_ok);
    r->hist_failed = malloc(sizeof *r->hist_failed);
    runner *rn = calloc(1, sizeof *rn);
    slot *slots = calloc(o->concurrency, sizeof *slots);
    if (r->hist == NULL || r->hist_ok == NULL || r->hist_failed == NULL || rn == NULL || slots == NULL) {
        snprintf(r->error, sizeof r->error, "out of memory");
        free(rn);
        free(slots);
        return 1;
    }
    hist_init(r->hist);
    hist_init(r->hist_ok);
    hist_init(r->hist_failed);
    rn->o = o;
    rn->r = r;
    rn->slots = slots;
    for (uint32_t i = 0; i < o->concurrency; i++) {
        slots[i].next_free = rn->free_slots;
        rn->free_slots = &slots[i];
    }
    rn->warming = o->warmup_calls > 0 || o->warmup_ns > 0;
    rn->progress_tty = isatty(2);
    uint64_t seed = (uint64_t)mono_ns();
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed) seed ^= (uint64_t)getpid();
    sampler_init(&rn->trace, o->trace_sample, seed);
    sigset_t sigs, old_sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigprocmask(SIG_BLOCK, &sigs, &old_sigs);
    rn->signal_fd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    rn->backoff_rng = seed | 1;
    if (o->ack_log && (rn->ack_log = fopen(o->ack_log, "w")) == NULL) {
        snprintf(r->error, sizeof r->error, "%s: cannot write", o->ack_log);
        rn->stop = true;
    }
    for (uint32_t i = 0; i < o->connections && !rn->stop; i++) rn->conns[i] = open_conn(rn, i);
    rn->t0 = mono_ns();
    rn->next_progress = rn->t0 + PROGRESS_EVERY_NS;
    if (!rn->stop) loop(rn);
    progress(rn, true);
    for (uint32_t i = 0; i < o->connections; i++) cw_conn_free(rn->conns[i]); /* fails leftovers */
    if (rn->measure_start && rn->last_done > rn->measure_start) {
        r->elapsed_ns = rn->last_done - rn->measure_start;
        r->rate = (double)r->calls / ((double)r->elapsed_ns / 1e9);
    }
    int rc = rn->stop ? 1 : 0;
    if (rn->signal_fd >= 0) close(rn->signal_fd);
    sigprocmask(SIG_SETMASK, &old_sigs, NULL);
    if (rn->ack_log) fclose(rn->ack_log);
    for (uint32_t i = 0; i < o->concurrency; i++) free(slots[i].request);
    free(slots);
    free(rn);
    return rc;
}

void results_free(results *r) {
    free(r->hist);
    free(r->hist_ok);
    free(r->hist_failed);
    r->hist = r->hist_ok = r->hist_failed = NULL;
}
