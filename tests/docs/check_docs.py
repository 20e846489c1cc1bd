#!/usr/bin/env python3
"""check_docs.py: keeps README.md and docs/ true to the code.

usage: python3 tests/docs/check_docs.py [--check | --update] [--root DIR]

  --check   (the default) exit 1, naming the file and line, when
              - a code excerpt differs from the source it names,
              - an excerpt names a file, region or function that does not exist,
              - a path the docs mention (in `code`, a fenced block or a link)
                does not exist;
            exit 0 when everything matches.
  --update  rewrite every excerpt from the current source (for maintainers,
            after changing code), then report whatever still fails.
  --root    the tree to check (default: the repository this file is in).
`make test` runs --check through tests/integration/docs_test.cpp.

An excerpt is a marker comment followed by a fenced block:

    <!-- excerpt: src/loop/deadline_list.h#schedule -->
    ```cpp
    ...exactly the lines of the region...
    ```

The part after '#' names, in the named file, either
  - a marked region: the lines between a comment line `excerpt-begin: NAME`
    and one `excerpt-end: NAME` (comment introduced by //, # or <!--),
    with their common indentation removed; or, when no region has that name,
  - a function definition: the line at column 0 that declares NAME( (for
    example Server::run or set_nonblocking) through the first line that is
    exactly "}". chatd's style puts every top-level definition that way, so
    most excerpts need no marker in the source at all.
Marker comment lines are never part of an excerpt. Adding " as-text" after
the name turns a region of C string literals (the --help text, say) into the
text they spell.

Names are checked too: a `code` span that is a C++ name from chatd (one
with '::', like Server::run; a constant like kMaxHeadBytes; a member like
inbound_bytes_) must occur in some file under src/, so prose that names a
renamed function fails the check as an excerpt would.

Paths are checked when they start with src/, tests/, demo/, docs/, tools/,
deploy/ or .ci/ (relative to the root), or are link targets (relative to the
markdown file). Paths with wildcards or placeholders (*, <, {, $) are not checked. A file
may name paths that are created by running something, so may be absent, in a
comment: <!-- not-checked: tests/bench/results/ -->.

Standard library only, so it runs wherever python3 does. The source side
(regions, functions, names) is in source_regions.py beside this file.
"""

import argparse
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
from source_regions import SourceText, read_lines, source_excerpt  # noqa: E402

MARKER = re.compile(r"^<!--\s*excerpt:\s*(\S+?)#(\S+?)(\s+as-text)?\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)(.*)$")
NOT_CHECKED = re.compile(r"<!--\s*not-checked:\s*(.*?)\s*-->")
PATH_TOKEN = re.compile(r"(?<![\w./~$-])((?:src|tests|demo|docs|tools|deploy|\.ci)/[\w./*<>{}$()#:-]*)")
UNCHECKABLE = set("*<>{}$(")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
CPP_NAME = re.compile(r"^(?:[A-Za-z_]\w*(?:::~?[A-Za-z_]\w*)+|k[A-Z]\w+|[a-z][a-z0-9]*(?:_[a-z0-9]+)*_)$")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


class Problems:
    def __init__(self):
        self.messages = []

    def add(self, where, message):
        self.messages.append((where, message))

    def sorted(self):
        def key(entry):
            file, _, line = entry[0].rpartition(":")
            return (file, int(line) if line.isdigit() else 0)
        return [f"{where}: {message}" for where, message in sorted(self.messages, key=key)]


# ===== Finding the markdown =====

def markdown_files(root):
    found = []
    readme = os.path.join(root, "README.md")
    if os.path.isfile(readme):
        found.append("README.md")
    for directory, subdirectories, files in os.walk(os.path.join(root, "docs")):
        subdirectories.sort()
        for name in sorted(files):
            if name.endswith(".md"):
                found.append(os.path.relpath(os.path.join(directory, name), root))
    return found


# ===== Markdown =====

def excerpts_and_text(lines):
    """Splits a markdown file into excerpts (marker line, fence range, source,
    name, as-text) and the text outside excerpts, for the path check."""
    excerpts = []
    other = []  # (line number, text), excerpt blocks left out
    number = 0
    in_fence = None  # the fence of a code block that is not an excerpt
    while number < len(lines):
        line = lines[number]
        fence = FENCE.match(line)
        if fence and (in_fence is None or line.strip() == in_fence):
            in_fence = fence.group(2) if in_fence is None else None
        marker = MARKER.match(line.strip()) if in_fence is None else None
        if marker:
            opening = number + 1
            while opening < len(lines) and not lines[opening].strip():
                opening += 1
            fence = FENCE.match(lines[opening]) if opening < len(lines) else None
            if not fence:
                excerpts.append({"marker": number, "error": "marker is not followed by a fenced code block"})
                number += 1
                continue
            closing = opening + 1
            while closing < len(lines) and lines[closing].strip() != fence.group(2):
                closing += 1
            excerpts.append({"marker": number, "open": opening, "close": closing,
                             "path": marker.group(1), "name": marker.group(2),
                             "as_text": bool(marker.group(3))})
            number = closing + 1
            continue
        other.append((number, line))
        number += 1
    return excerpts, other


def mentioned_paths(other_lines):
    """(line number, path, is_link) for every path mention outside excerpts."""
    mentions = []
    in_fence = None
    for number, line in other_lines:
        fence = FENCE.match(line)
        if fence and (in_fence is None or line.strip() == in_fence):
            in_fence = fence.group(2) if in_fence is None else None
            continue
        if in_fence is not None:
            spans = [line]  # a command or config block: all of it is code
        else:
            spans = [match.group(2) for match in INLINE_CODE.finditer(line)]
            without_code = INLINE_CODE.sub("", line)
            for link in LINK.finditer(without_code):
                mentions.append((number, link.group(1), True))
        for span in spans:
            for token in PATH_TOKEN.findall(span):
                mentions.append((number, token, False))
    return mentions


def mentioned_names(other_lines):
    """(line number, name) for every C++ name in a `code` span outside
    code blocks."""
    names = []
    in_fence = None
    for number, line in other_lines:
        fence = FENCE.match(line)
        if fence and (in_fence is None or line.strip() == in_fence):
            in_fence = fence.group(2) if in_fence is None else None
            continue
        if in_fence is not None:
            continue
        for match in INLINE_CODE.finditer(line):
            span = match.group(2).strip()
            if span.endswith("()"):
                span = span[:-2]
            if CPP_NAME.match(span) and not span.startswith("std::"):
                names.append((number, span))
    return names


def clean_path(token):
    token = token.split("#", 1)[0]
    token = re.sub(r":\d*$", "", token)
    return token.rstrip(".,:;")


def check_path(root, markdown, number, token, is_link, not_checked, problems):
    where = f"{markdown}:{number + 1}"
    if is_link:
        if re.match(r"^[a-z][a-z0-9+.-]*:", token) or token.startswith("#"):
            return 0
        target = token.split("#", 1)[0]
        full = os.path.normpath(os.path.join(root, os.path.dirname(markdown), target))
        shown = os.path.relpath(full, root)
    else:
        target = clean_path(token)
        if not target or any(c in target for c in UNCHECKABLE):
            return 0
        full = os.path.join(root, target)
        shown = target
    if any(shown.startswith(prefix) for prefix in not_checked):
        return 0
    if not os.path.exists(full):
        kind = "links to" if is_link else "mentions"
        problems.add(where, f"{kind} {shown}, which does not exist")
    return 1


# ===== The check =====

def check_file(root, markdown, update, problems, counts, source_text):
    path = os.path.join(root, markdown)
    lines = read_lines(path)
    excerpts, other = excerpts_and_text(lines)
    rewritten = False
    # Back to front, so that rewriting a block keeps earlier line numbers valid.
    for excerpt in reversed(excerpts):
        where = f"{markdown}:{excerpt['marker'] + 1}"
        if "error" in excerpt:
            problems.add(where, excerpt["error"])
            continue
        label = f"excerpt {excerpt['path']}#{excerpt['name']}"
        counts["excerpts"] += 1
        if excerpt["close"] >= len(lines):
            problems.add(where, f"{label}: its code block is never closed")
            continue
        source, error = source_excerpt(root, excerpt["path"], excerpt["name"], excerpt["as_text"])
        if error:
            problems.add(where, f"{label} {error}" if error.startswith("names") else f"{label}: {error}")
            continue
        shown = [line.rstrip() for line in lines[excerpt["open"] + 1:excerpt["close"]]]
        if shown == source:
            continue
        if update:
            lines[excerpt["open"] + 1:excerpt["close"]] = source
            rewritten = True
            counts["updated"] += 1
            continue
        problems.add(where, f"{label} differs from the source{first_difference(shown, source, excerpt['open'] + 2)}")
    if rewritten:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        lines = read_lines(path)
        excerpts, other = excerpts_and_text(lines)

    not_checked = []
    for line in lines:
        for listed in NOT_CHECKED.findall(line):
            not_checked.extend(listed.split())
    for number, token, is_link in mentioned_paths(other):
        counts["paths"] += check_path(root, markdown, number, token, is_link, not_checked, problems)
    for number, name in mentioned_names(other):
        counts["names"] += 1
        if not source_text.has(name):
            problems.add(f"{markdown}:{number + 1}", f"names {name}, which no file in src/ contains")


def first_difference(shown, source, first_line_number):
    for index in range(max(len(shown), len(source))):
        docs_line = shown[index] if index < len(shown) else "(nothing: the excerpt is shorter)"
        source_line = source[index] if index < len(source) else "(nothing: the source is shorter)"
        if docs_line != source_line:
            return (f" (first at line {first_line_number + index} of the doc):\n"
                    f"      docs:   {docs_line}\n"
                    f"      source: {source_line}")
    return ""


def main(argv):
    parser = argparse.ArgumentParser(description="Check that README.md and docs/ match the code.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="report differences (the default)")
    mode.add_argument("--update", action="store_true", help="rewrite excerpts from the source")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        help="the tree to check (default: this repository)")
    options = parser.parse_args(argv)
    root = os.path.abspath(options.root)

    problems = Problems()
    counts = {"excerpts": 0, "paths": 0, "names": 0, "updated": 0}
    files = markdown_files(root)
    source_text = SourceText(root)
    for markdown in files:
        check_file(root, markdown, options.update, problems, counts, source_text)

    if options.update:
        print(f"check_docs: updated {counts['updated']} excerpt(s)")
    if problems.messages:
        for message in problems.sorted():
            print(message)
        print(f"check_docs: FAILED: {len(problems.messages)} problem(s) in {len(files)} files"
              + ("" if options.update else "; if the code changed on purpose, run"
                 " python3 tests/docs/check_docs.py --update and reread the prose around each excerpt"))
        return 1
    print(f"check_docs: ok: {counts['excerpts']} excerpts, {counts['paths']} paths and "
          f"{counts['names']} names in {len(files)} files match the tree")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
