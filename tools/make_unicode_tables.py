#!/usr/bin/env python3
"""make_unicode_tables.py: writes src/chat/unicode_tables.cpp, the two Unicode
tables the naming rule needs (src/chat/unicode_names.h), from the Unicode
Character Database files that Debian's unicode-data package installs.

usage: python3 tools/make_unicode_tables.py [--data DIR] [--output FILE | --check FILE]

  --data    the UCD directory (default /usr/share/unicode)
  --output  where to write the table (default src/chat/unicode_tables.cpp beside
            this script's tools/ folder); "-" writes to stdout
  --check   exit 0 if FILE equals what would be written, 1 if it differs,
            3 if the data files are missing (tests/unit/chat/unicode_names_test.cpp)

It reads three files (UAX #44 describes their formats):
  UnicodeData.txt           field 2 is the General_Category; code points the
                            file does not list are unassigned (Cn). Ranges are
                            written as a "<..., First>" line and a "<..., Last>"
                            line.
  DerivedCoreProperties.txt the Default_Ignorable_Code_Point property: what a
                            renderer shows as nothing at all.
  CaseFolding.txt           the mappings with status C (common) and S (simple);
                            together they are simple case folding. F (full) and
                            T (Turkic) are left out: full folding can turn one
                            code point into several (ß into "ss"), and Turkic
                            folding depends on the language.

Output is deterministic, so regenerating with the same data gives the same
file byte for byte. Standard library only.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUTPUT = os.path.join(os.path.dirname(HERE), "src", "chat", "unicode_tables.cpp")
MAX_CODE_POINT = 0x10FFFF

# The four classes of src/chat/unicode_tables.h, NameCharacterClass, in its order.
ORDINARY, SPACE, MARK, REFUSED = "kOrdinary", "kSpace", "kMark", "kRefused"
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
MARK_CATEGORIES = {"Mn", "Mc", "Me"}


def data_lines(path):
    """The data part of each line of a UCD file: comments and blanks dropped."""
    with open(path, encoding="utf-8") as source:
        for line in source:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [field.strip() for field in line.split(";")]


def file_version(path):
    """The version in the first line, "# CaseFolding-15.0.0.txt"."""
    with open(path, encoding="utf-8") as source:
        match = re.match(r"#\s*\S+-(\d+\.\d+\.\d+)\.txt", source.readline())
    if not match:
        sys.exit(f"{path}: no version in the first line")
    return match.group(1)


def general_categories(path):
    """A list indexed by code point: its General_Category, "Cn" if unlisted."""
    categories = ["Cn"] * (MAX_CODE_POINT + 1)
    range_start = None
    for fields in data_lines(path):
        code_point, name, category = int(fields[0], 16), fields[1], fields[2]
        if name.endswith(", First>"):
            range_start = code_point
            continue
        if name.endswith(", Last>"):
            for inside in range(range_start, code_point + 1):
                categories[inside] = category
            range_start = None
            continue
        categories[code_point] = category
    return categories


def default_ignorables(path):
    ignorable = set()
    for fields in data_lines(path):
        if fields[1] != "Default_Ignorable_Code_Point":
            continue
        first, _, last = fields[0].partition("..")
        ignorable.update(range(int(first, 16), int(last or first, 16) + 1))
    return ignorable


def name_class(category, ignorable):
    # Invisible comes first: U+034F COMBINING GRAPHEME JOINER is a mark, and
    # U+3164 HANGUL FILLER a letter, but neither shows, so both are refused.
    if ignorable or category in REFUSED_CATEGORIES:
        return REFUSED
    if category == "Zs":
        return SPACE
    if category in MARK_CATEGORIES:
        return MARK
    return ORDINARY


def name_class_runs(categories, ignorable):
    """[(first code point, class)]: each run lasts until the next one starts."""
    runs = []
    for code_point, category in enumerate(categories):
        cls = name_class(category, code_point in ignorable)
        if not runs or runs[-1][1] != cls:
            runs.append((code_point, cls))
    return runs


def simple_case_folding(path):
    folding = {}
    for fields in data_lines(path):
        if fields[1] in ("C", "S"):
            folding[int(fields[0], 16)] = int(fields[2], 16)
    return folding


def case_fold_ranges(folding):
    """[(first, last, delta, stride)]: every stride-th code point from first
    to last folds to itself plus delta. Stride 2 catches the blocks where
    capitals and small letters alternate (U+0100 A-macron, U+0101 a-macron,
    ...); stride 1 the blocks where they come in runs (A-Z, Greek, Cyrillic)."""
    ranges = []
    for code_point in sorted(folding):
        delta = folding[code_point] - code_point
        if ranges:
            first, last, last_delta, stride = ranges[-1]
            step = code_point - last
            if last_delta == delta and ((first == last and step in (1, 2)) or step == stride):
                ranges[-1] = (first, code_point, delta, step)
                continue
        ranges.append((code_point, code_point, delta, 1))
    return ranges


def render(version, runs, ranges):
    out = []
    out.append("// unicode_tables.cpp: GENERATED by tools/make_unicode_tables.py from the")
    out.append(f"// Unicode Character Database, version {version} (UnicodeData.txt,")
    out.append("// DerivedCoreProperties.txt, CaseFolding.txt). Do not edit by hand.")
    out.append("//")
    out.append("// To regenerate, with Debian's unicode-data package installed:")
    out.append("//   python3 tools/make_unicode_tables.py")
    out.append("// The layout of both tables is explained in src/chat/unicode_tables.h.")
    out.append('#include "chat/unicode_tables.h"')
    out.append("")
    out.append(f'const char kUnicodeVersion[] = "{version}";')
    out.append("")
    out.append("// Runs of code points with one NameCharacterClass, by first code point.")
    out.append("#define R(first, name_class) {first, NameCharacterClass::name_class}")
    out.append(f"const NameClassRun kNameClassRuns[{len(runs)}] = {{")
    entries = [f"R(0x{first:05X}, {cls})" for first, cls in runs]
    out.extend(wrap(entries, 5))
    out.append("};")
    out.append("#undef R")
    out.append("const size_t kNameClassRunCount = sizeof kNameClassRuns / sizeof kNameClassRuns[0];")
    out.append("")
    out.append("// Simple case folding (statuses C and S): {first, last, delta, stride}.")
    out.append(f"const CaseFoldRange kCaseFoldRanges[{len(ranges)}] = {{")
    entries = [f"{{0x{first:05X}, 0x{last:05X}, {delta}, {stride}}}" for first, last, delta, stride in ranges]
    out.extend(wrap(entries, 4))
    out.append("};")
    out.append("const size_t kCaseFoldRangeCount = sizeof kCaseFoldRanges / sizeof kCaseFoldRanges[0];")
    return "\n".join(out) + "\n"


def wrap(entries, per_line):
    lines = []
    for start in range(0, len(entries), per_line):
        lines.append("    " + " ".join(entry + "," for entry in entries[start:start + per_line]))
    return lines


def generate(data):
    paths = {name: os.path.join(data, name) for name in
             ("UnicodeData.txt", "DerivedCoreProperties.txt", "CaseFolding.txt")}
    missing = [path for path in paths.values() if not os.path.isfile(path)]
    if missing:
        return None, "missing " + ", ".join(missing) + " (Debian: apt-get install unicode-data)"
    versions = {file_version(paths["DerivedCoreProperties.txt"]), file_version(paths["CaseFolding.txt"])}
    if len(versions) != 1:
        return None, "the data files disagree on the Unicode version: " + ", ".join(sorted(versions))
    categories = general_categories(paths["UnicodeData.txt"])
    ignorable = default_ignorables(paths["DerivedCoreProperties.txt"])
    runs = name_class_runs(categories, ignorable)
    ranges = case_fold_ranges(simple_case_folding(paths["CaseFolding.txt"]))
    return render(versions.pop(), runs, ranges), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/usr/share/unicode")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", default=DEFAULT_OUTPUT)
    group.add_argument("--check", metavar="FILE")
    args = parser.parse_args()

    text, problem = generate(args.data)
    if text is None:
        print(f"make_unicode_tables.py: {problem}", file=sys.stderr)
        return 3
    if args.check:
        with open(args.check, encoding="utf-8") as existing:
            if existing.read() == text:
                return 0
        print(f"make_unicode_tables.py: {args.check} differs from the tables generated from {args.data}; "
              "regenerate with python3 tools/make_unicode_tables.py", file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
