#!/usr/bin/env python3
"""check_layers.py: src/ is one folder per layer, and no folder includes
from a folder above it.

The layers, lowest first (docs/00-overview.md draws them):

  base       clock, log, token bucket, ASCII case folding, UTF-8 validation:
             what every layer may use
  loop       the poller backends and the deadline lists
  http       the request parser, Host and targets, the handshake, SHA-1, base64
  websocket  frames, messages, shared frames, output queues
  json       the JSON reader and writer
  redis      the RESP2 reply reader, the command writer, redis:// URLs
  chat       rooms, names, messages, strangers (never a socket)
  server     the loop's owner: connections, routing, limits
  (top)      src/main.cpp and src/options.* : may include anything

A file may include headers of its own layer and of the layers below it. Every
project include names its folder ("chat/chat_room.h", never "chat_room.h"),
so that a reader sees the layer at the include line, and a name outside the
folders is an error too. System includes (<...>) are not looked at.

usage: python3 tests/layers/check_layers.py [--root DIR]
Prints every violation as FILE:LINE: message and exits 1 if there is any,
else prints one "ok" line and exits 0.
"""

import argparse
import os
import re
import sys

LAYERS = ["base", "loop", "http", "websocket", "json", "redis", "chat", "bus", "server"]
TOP = len(LAYERS)  # src/main.cpp, src/options.*
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(relative_path):
    """The layer index of a path relative to src/, or None if it is in none."""
    parts = relative_path.split("/")
    if len(parts) == 1:
        return TOP
    if len(parts) == 2 and parts[0] in LAYERS:
        return LAYERS.index(parts[0])
    return None


def layer_name(index):
    return "the top (main.cpp, options)" if index == TOP else LAYERS[index]


def check(root):
    problems = []
    source_root = os.path.join(root, "src")
    files = 0
    for directory, _, names in sorted(os.walk(source_root)):
        for name in sorted(names):
            if not name.endswith((".cpp", ".h")):
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, source_root).replace(os.sep, "/")
            own = layer_of(relative)
            files += 1
            if own is None:
                problems.append(f"src/{relative}:1: is in no layer folder ({', '.join(LAYERS)})")
                continue
            with open(path, encoding="utf-8") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    included = match.group(1)
                    target = layer_of(included)
                    where = f"src/{relative}:{number}"
                    if target is None or target == TOP and "/" not in included:
                        if own == TOP and os.path.exists(os.path.join(source_root, included)):
                            continue  # main.cpp including options.h
                        problems.append(f"{where}: includes \"{included}\", which names no layer folder")
                    elif not os.path.exists(os.path.join(source_root, included)):
                        problems.append(f"{where}: includes \"{included}\", which does not exist")
                    elif target > own:
                        problems.append(f"{where}: {layer_name(own)} includes \"{included}\" "
                                        f"from {layer_name(target)}, a layer above it")
    return files, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    arguments = parser.parse_args()
    files, problems = check(arguments.root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: FAILED: {len(problems)} problem(s) in {files} files")
        return 1
    print(f"check_layers: ok: {files} files, every include from its own layer or one below")
    return 0


if __name__ == "__main__":
    sys.exit(main())
