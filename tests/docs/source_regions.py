"""source_regions.py: the source side of check_docs.py: finding the lines an
excerpt names (a marked region or a function definition) and the C++ names
that occur anywhere in src/. See check_docs.py for the rules.
"""

import os
import re
import textwrap

REGION_MARK = re.compile(r"^\s*(?://|#|<!--|/\*)\s*excerpt-(begin|end):\s*(\S+)")


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().split("\n")


# ===== Source regions =====

def strip_markers(lines):
    return [line for line in lines if not REGION_MARK.match(line)]


def marked_region(lines, name):
    """The lines of region NAME, or None when the file has no such region.
    Raises ValueError when the region is malformed."""
    begin = end = None
    for number, line in enumerate(lines):
        match = REGION_MARK.match(line)
        if not match or match.group(2) != name:
            continue
        if match.group(1) == "begin":
            if begin is not None:
                raise ValueError(f"region {name} begins twice")
            begin = number
        elif begin is not None and end is None:
            end = number
    if begin is None:
        return None
    if end is None:
        raise ValueError(f"region {name} has excerpt-begin but no excerpt-end")
    body = strip_markers(lines[begin + 1:end])
    return textwrap.dedent("\n".join(body)).split("\n")


def function_definition(lines, name):
    """The definition of function NAME (signature line at column 0 through the
    first line that is exactly '}'), or None. Raises ValueError when the name
    is ambiguous (overloads) or the definition never ends."""
    declares = re.compile(r"(?:^|[\s*&])" + re.escape(name) + r"\(")
    starts = [number for number, line in enumerate(lines)
              if line[:1] not in ("", " ", "\t", "/", "#", "}", "*")
              and declares.search(line) and not line.rstrip().endswith(";")]
    if not starts:
        return None
    if len(starts) > 1:
        raise ValueError(f"{name} is defined {len(starts)} times (overloads?); mark a region instead")
    start = starts[0]
    first = lines[start].rstrip()
    if first.endswith("}") and first.count("{") == first.count("}"):
        return [lines[start]]
    for number in range(start + 1, len(lines)):
        if lines[number].rstrip() == "}":
            return strip_markers(lines[start:number + 1])
    raise ValueError(f"the definition of {name} has no closing '}}' at column 0")


C_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
C_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def as_text(lines):
    """The text that the C string literals on these lines spell."""
    pieces = []
    for line in lines:
        for literal in C_STRING.findall(line):
            pieces.append(re.sub(r"\\(.)", lambda m: C_ESCAPES.get(m.group(1), m.group(1)), literal))
    text = "".join(pieces)
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def source_excerpt(root, path, name, text_mode):
    """(lines, None) for the excerpt, or (None, reason) when it cannot be found."""
    full = os.path.join(root, path)
    if not os.path.isfile(full):
        return None, f"names {path}, which does not exist"
    lines = read_lines(full)
    try:
        found = marked_region(lines, name)
        if found is None:
            found = function_definition(lines, name)
    except ValueError as error:
        return None, f"{path}: {error}"
    if found is None:
        return None, (f"{path} has no region marked 'excerpt-begin: {name}' "
                      f"and no function {name}")
    if text_mode:
        found = as_text(found)
    while found and not found[0].strip():
        found = found[1:]
    while found and not found[-1].strip():
        found = found[:-1]
    return [line.rstrip() for line in found], None


class SourceText:
    """The text of every file under src/, read once."""

    def __init__(self, root):
        self.files = []
        for directory, _, files in os.walk(os.path.join(root, "src")):
            for name in sorted(files):
                with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                    self.files.append(handle.read())
        self.known = {}

    def has(self, name):
        if name not in self.known:
            parts = name.split("::")
            words = [re.compile(r"\b" + re.escape(part.lstrip("~")) + r"\b") for part in parts]
            self.known[name] = any(("::" in name and name in text) or all(word.search(text) for word in words)
                                   for text in self.files)
        return self.known[name]
