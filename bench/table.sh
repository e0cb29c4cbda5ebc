#!/bin/bash
# Markdown table of bench/run output (the figures in docs/BENCHMARKS.md):
#   bench/run --quick > out.jsonl; bench/table.sh < out.jsonl
# Columns: name, value, unit, baseline, ratio (value / baseline), runs.
awk '
  function field(s, k,   v) {
    if (!match(s, "\"" k "\":(\"[^\"]*\"|[^,}]*)")) return ""
    v = substr(s, RSTART + length(k) + 3, RLENGTH - length(k) - 3)
    gsub(/"/, "", v)
    return v
  }
  BEGIN { print "| name | value | unit | baseline | ratio | runs |"; print "|---|---:|---|---:|---:|---:|" }
  /^\{/ {
    n = field($0, "name")
    if (n ~ /^machine\./) next
    printf "| `%s` | %s | %s | %s | %s | %s |\n", n, field($0, "value"), field($0, "unit"),
      field($0, "baseline"), field($0, "ratio"), field($0, "runs")
  }'
