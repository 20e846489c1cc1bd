// descriptors.h: the two things every owner of a socket in chatd does to a
// descriptor or to the process before handing descriptors to the loop.
#pragma once

#include <cstddef>

// Makes fd nonblocking (a read or write that would wait returns EAGAIN
// instead, which is what lets one thread serve every client) and
// close-on-exec (a child process never inherits it). False on failure.
bool set_nonblocking(int fd);

// Raises the soft open-file limit to the hard one, and returns the limit in
// force: one descriptor per client, so this is the ceiling on clients.
size_t raise_open_file_limit();
