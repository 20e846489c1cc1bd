#!/usr/bin/env python3
"""parse_metrics.py FILE: parses a Prometheus text exposition with the
official client library's parser (Debian python3-prometheus-client) and
prints each sample as NAME{LABEL="VALUE",...} VALUE, labels sorted, one per
line. Exit status 2 if the library is missing, 1 if the text does not parse.
Used by tests/integration/metrics_test.cpp."""
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit(2)

with open(sys.argv[1], encoding="utf-8") as handle:
    text = handle.read()
try:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(sample.labels.items()))
            value = sample.value
            shown = str(int(value)) if value == int(value) else repr(value)
            print("%s{%s} %s" % (sample.name, labels, shown))
except Exception as error:  # the parser raises ValueError and others
    print("parse error: %s" % error, file=sys.stderr)
    sys.exit(1)
