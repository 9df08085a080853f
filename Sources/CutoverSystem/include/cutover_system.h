#ifndef CUTOVER_SYSTEM_H
#define CUTOVER_SYSTEM_H

/* Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE). Returns 0 on success and
   -1 with errno set otherwise, including on systems or filesystems that cannot exchange. */
int cutover_exchange_paths(const char *first, const char *second);

#include <sys/types.h>

/* Where a child's standard descriptor comes from: an inherited descriptor of the parent, a file
   opened in the child (after it changed user, so the file belongs to that user), or, for stderr
   only, the same as stdout. */
typedef struct {
    int fd;             /* >= 0: dup2 this descriptor; -1: open `path`; -2: same as stdout */
    const char *path;
    int flags;
} cutover_stream;

/* fork + exec with what posix_spawn cannot do: in the child, between fork and exec, every signal
   at its default and unblocked, its own process group, optionally another user (setgroups,
   setgid, setuid), then optionally a parent-death signal (PR_SET_PDEATHSIG, set after the user
   change, which would clear it), the working folder, and the three standard descriptors.
   Returns the child's pid, or -1 with errno set (also when exec failed in the child).
   The parent-death signal fires when the *thread* that called this ends: call it from a thread
   that lives as long as the process. */
pid_t cutover_spawn(const char *path, char *const argv[], char *const envp[], const cutover_stream streams[3],
                    const char *directory, int switch_user, uid_t uid, gid_t gid, int death_signal);

/* A close-on-exec pipe (pipe2 on Linux): no child forked meanwhile inherits the pair. */
int cutover_pipe_cloexec(int fds[2]);

#endif
