// supervisor.h: --workers N. One supervisor process starts N worker
// processes; each is a whole chatd node (its own event loop, its own
// open-file limit, its own node number in Redis) and they all listen on one
// port with SO_REUSEPORT, so the kernel spreads new connections across them.
//
// The supervisor does no network work. It
//   - starts the workers (fork, no exec: a worker is this same program,
//     already configured) and waits until each listens before it prints
//     the "listening on" line;
//   - restarts a worker that dies, after a backoff that doubles from 100 ms
//     to 5 s (back to 100 ms once a worker has lived 10 s), and logs how it
//     died (its exit status, or the signal that killed it);
//   - on SIGINT or SIGTERM, passes SIGTERM to every worker (each closes its
//     clients with 1001 and exits), and exits 0 once all have; a second
//     signal kills them with SIGKILL and exits 1 at once.
// A worker whose supervisor dies shuts down too: it holds the read end of a
// pipe whose write end only the supervisor holds, and end of file on it
// means the supervisor is gone (on every system, where Linux's
// PR_SET_PDEATHSIG would be Linux only).
//
// Under systemd's socket activation (server/socket_activation.h) the
// workers do not bind at all: each inherits the one socket systemd passed
// and accepts on it (one queue, whichever worker asks first).
//
// With port 0 the supervisor picks the free port itself (a socket bound but
// never listening, kept for its whole life), so every worker, and every
// restarted one, listens on the same port.
#pragma once

#include "server/server_options.h"

// Runs the supervisor for options.workers workers. Returns in two ways: in
// the supervisor, with its exit status and *is_worker false; in a newly
// started worker, with *is_worker true and *options set up for that worker
// (worker_index, port, the supervisor's pipes), which then runs the server.
int run_supervisor(ServerOptions* options, bool* is_worker);
