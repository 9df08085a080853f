#ifndef CUTOVER_SYSTEM_H
#define CUTOVER_SYSTEM_H

/* Atomically exchanges two paths (Linux renameat2 with RENAME_EXCHANGE). Returns 0 on success and
   -1 with errno set otherwise, including on systems or filesystems that cannot exchange. */
int cutover_exchange_paths(const char *first, const char *second);

#endif
