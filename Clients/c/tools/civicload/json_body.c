#include "json_body.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads both pipes to their ends: stdout into out (up to limit + 1, to notice excess), stderr into msg. */
static bool drain(int out_fd, int err_fd, uint8_t *out, size_t limit, size_t *len, char *msg, size_t msg_len) {
    size_t got = 0, mgot = 0;
    struct pollfd fds[2] = {{.fd = out_fd, .events = POLLIN}, {.fd = err_fd, .events = POLLIN}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        if (poll(fds, 2, 30000) <= 0) return false;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            uint8_t scratch[4096];
            uint8_t *dst = i == 0 ? (got <= limit ? out + got : scratch) : scratch;
            size_t room = i == 0 ? (got <= limit ? limit + 1 - got : sizeof scratch) : sizeof scratch;
            ssize_t n = read(fds[i].fd, dst, room);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fds[i].fd = -1;
                continue;
            }
            if (i == 0) {
                if (got <= limit) got += (size_t)n;
            } else if (mgot + 1 < msg_len) {
                size_t take = (size_t)n < msg_len - 1 - mgot ? (size_t)n : msg_len - 1 - mgot;
                memcpy(msg + mgot, scratch, take);
                mgot += take;
            }
        }
    }
    msg[mgot] = 0;
    *len = got;
    return true;
}

bool json_body_encode(const char *method, const char *json, size_t limit, uint8_t **out, size_t *len, char *err,
                      size_t err_len) {
    const char *encoder = getenv("CIVICLOAD_ENCODER");
    if (encoder == NULL || encoder[0] == 0) encoder = "civicctl";
    if (method[0] == '/') method++;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        return false;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        snprintf(err, err_len, "pipe: %s", strerror(errno));
        close(out_pipe[0]);
        close(out_pipe[1]);
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    char *argv[] = {(char *)encoder, "encode", (char *)method, "--data", (char *)json, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, encoder, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        snprintf(err, err_len, "cannot run %s (set CIVICLOAD_ENCODER to civicctl's path): %s", encoder, strerror(rc));
        close(out_pipe[0]);
        close(err_pipe[0]);
        return false;
    }
    uint8_t *buf = malloc(limit + 1);
    char msg[512] = "";
    bool read_ok = buf != NULL && drain(out_pipe[0], err_pipe[0], buf, limit, len, msg, sizeof msg);
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    bool ok = read_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0 && *len <= limit;
    if (!ok) {
        msg[strcspn(msg, "\n")] = 0;
        if (!read_ok) snprintf(err, err_len, "%s encode: no answer", encoder);
        else if (*len > limit) snprintf(err, err_len, "the encoded request is larger than %zu bytes", limit);
        else snprintf(err, err_len, "%s encode failed: %s", encoder, msg[0] ? msg : "no message");
        free(buf);
        return false;
    }
    free(*out);
    *out = buf;
    return true;
}
