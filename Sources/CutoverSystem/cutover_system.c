#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include "cutover_system.h"

int cutover_exchange_paths(const char *first, const char *second) {
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    return renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE);
#else
    (void)first;
    (void)second;
    errno = ENOSYS;
    return -1;
#endif
}

#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

/* pipe2 where there is one (Linux); elsewhere pipe + FD_CLOEXEC, where a fork on another thread
   in between could still inherit the pair (the servers verify starts run on Linux). */
static int pipe_cloexec(int fds[2]) {
#if defined(__linux__)
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

/* Only async-signal-safe calls between fork and exec: the parent has other threads. */
static void child_fail(int report, int code) {
    ssize_t ignored = write(report, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

pid_t cutover_spawn(const char *path, char *const argv[], char *const envp[], const cutover_stream streams[3],
                    const char *directory, int switch_user, uid_t uid, gid_t gid, int death_signal) {
    int report[2];
    if (pipe_cloexec(report) != 0) return -1;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        sigset_t none;
        sigemptyset(&none);
        struct sigaction fallback;
        memset(&fallback, 0, sizeof fallback);
        fallback.sa_handler = SIG_DFL;
        for (int number = 1; number < NSIG; number++) sigaction(number, &fallback, NULL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        if (switch_user) {
            if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) child_fail(report[1], errno);
            if (setuid(0) == 0 && uid != 0) child_fail(report[1], EPERM); /* the change must be for good */
        }
#if defined(__linux__)
        if (death_signal > 0) {
            if (prctl(PR_SET_PDEATHSIG, death_signal) != 0) child_fail(report[1], errno);
            if (getppid() != parent) _exit(127); /* the parent died before the line above */
        }
#else
        (void)parent;
        (void)death_signal;
#endif
        if (directory && chdir(directory) != 0) child_fail(report[1], errno);
        for (int target = 0; target < 3; target++) {
            const cutover_stream *stream = &streams[target];
            int fd;
            if (stream->fd == -2) {
                fd = 1;
            } else if (stream->fd >= 0) {
                fd = stream->fd;
            } else {
                fd = open(stream->path, stream->flags | O_CLOEXEC, 0640);
                if (fd < 0) child_fail(report[1], errno);
            }
            if (fd == target) {
                int flags = fcntl(fd, F_GETFD);
                if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
            } else if (dup2(fd, target) < 0) {
                child_fail(report[1], errno);
            }
        }
        execve(path, argv, envp);
        child_fail(report[1], errno);
    }
    close(report[1]);
    int code = 0;
    ssize_t got;
    do { got = read(report[0], &code, sizeof code); } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        errno = code;
        return -1;
    }
    return child;
}

int cutover_pipe_cloexec(int fds[2]) { return pipe_cloexec(fds); }
