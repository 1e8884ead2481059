#!/usr/bin/env bash
# Checks that rerunning a reference experiment with this version reproduces its committed
# tables byte for byte: runs the T=100 part of hochreiter-adding (12 trials, about two
# minutes on 2 cores) into a temporary directory and compares its report with
# docs/results/hochreiter-adding/check-T100.md, rendered by docs/results/render.sh from the
# full run with the same --where.
#
# The numbers depend on the arithmetic kernels, which expctl chooses from the processor's
# features (AVX-512, AVX2 and FMA, or portable Go; see the kernels field of result.json).
# On a machine whose kernels differ from those that computed the committed results the
# check cannot hold: it says so and exits with status 0 without comparing.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=docs/results/hochreiter-adding
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/expctl" ./cmd/expctl
"$work/expctl" run sweep hochreiter-adding --where T=100 --out "$work/runs" --workers 2 --plain --no-tables > "$work/sweep.log" 2>&1 ||
  { tail -20 "$work/sweep.log"; echo "FAIL: the sweep did not complete"; exit 1; }
have=$(cat "$work"/runs/hochreiter-adding/*/result.json | grep -o '"kernels": *"[^"]*"' | sed 's/.*: *"\(.*\)"/\1/' | sort -u)
want=$(cat "$dir/kernels.txt")
if [ "$have" != "$want" ]; then
  echo "SKIP: the committed results were computed by the kernels \"$want\", this machine's are \"$have\": they round differently"
  exit 0
fi
{
  "$work/expctl" report --format markdown --rows cell,forget_bias --metric test_metric --where T=100 "$work/runs/hochreiter-adding"
  "$work/expctl" report --format markdown --rows cell,forget_bias --where T=100 "$work/runs/hochreiter-adding"
} > "$work/check-T100.md"
if ! diff -u "$dir/check-T100.md" "$work/check-T100.md"; then
  echo "FAIL: rerunning hochreiter-adding (T=100) does not reproduce $dir/check-T100.md"
  exit 1
fi
echo "ok: rerunning hochreiter-adding (T=100) reproduces $dir/check-T100.md byte for byte (kernels $have)"
