#!/bin/sh
# embed_file.sh FILE SYMBOL: print a C++ source file that defines
#   extern const char SYMBOL[]; extern const unsigned long SYMBOL_size;
# holding FILE's bytes, so the binary can serve it without reading the disk.
# A raw string literal keeps the generated file readable; the delimiter is
# checked so that a page containing it fails the build instead of breaking it.
set -eu
file=$1
symbol=$2
delimiter=chatd_embed
if grep -q ")$delimiter\"" "$file"; then
  echo "embed_file.sh: $file contains the delimiter )$delimiter\"" >&2
  exit 1
fi
printf '// Generated from %s by tools/embed_file.sh. Do not edit.\n' "$file"
printf 'extern const char %s[];\nextern const unsigned long %s_size;\n' "$symbol" "$symbol"
printf 'const char %s[] = R"%s(' "$symbol" "$delimiter"
cat "$file"
printf ')%s";\n' "$delimiter"
printf 'const unsigned long %s_size = sizeof(%s) - 1;\n' "$symbol" "$symbol"
