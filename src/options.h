// options.h: chatd's command line (--help lists it): parses argv into the
// server's options (src/server/server_options.h), each flag with a default
// an operator can reason about.
#pragma once

#include "base/version.h"
#include "server/server_options.h"

enum class ParseOutcome { Run, ExitSuccess, ExitFailure };

// Parses argv into *options. Prints --help or --version text to stdout, or
// an error to stderr, and says whether to run or exit.
ParseOutcome parse_options(int argc, char** argv, ServerOptions* options);
