#!/usr/bin/env bash
# Renders the committed reports of the reference experiments, docs/results/<experiment>/,
# from their sweep directories: Markdown tables (tables.md), figures (SVG and PNG) and
# the HTML report (index.html).
#
#   docs/results/render.sh [RUNS] [EXPERIMENT...]
#
# RUNS is the --out of the sweeps (default: runs); the experiments default to all of
# them. EXPCTL names the expctl binary (default: built from this checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-runs}
shift || true
EXPERIMENTS=${*:-adding-length copy-length hochreiter-adding clipping lr-halving}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -z "${EXPCTL:-}" ]; then
  EXPCTL=$stage/expctl
  go build -o "$EXPCTL" ./cmd/expctl
fi
[ -x "$EXPCTL" ] || { echo "EXPCTL=$EXPCTL: not an executable file" >&2; exit 1; }

# section TITLE ARGS...: one report of the experiment's sweep as a Markdown section (each
# report has the metric's table, the steps-to-solve table and the table of why trials
# were not solved).
section() {
  local title=$1; shift
  printf '## %s\n\n`expctl report %s runs/%s`\n\n' "$title" "$*" "${sweep#"$RUNS"/}" >> "$out/tables.md"
  "$EXPCTL" report --format markdown "$@" "$sweep" >> "$out/tables.md"
  printf '\n' >> "$out/tables.md"
}

# extra_section DIR TITLE ARGS...: a section, as section does, of another sweep directory
# that belongs with this report (the same grid unpruned, a longer budget), when DIR has been
# run to the end; else nothing, and status 1 (with a line on stderr if it is unfinished).
extra_section() {
  [ -d "$1" ] || return 1
  local summary
  summary=$("$EXPCTL" ls "$1" | tail -n 1)
  if [[ $summary =~ [0-9]\ (running|incomplete|paused|corrupt|missing) ]]; then
    echo "$1 is not finished ($summary): left out of the report" >&2
    return 1
  fi
  sweep=$1 section "${@:2}"
}

# kernels SWEEP: the arithmetic kernels recorded by the sweep's results, one per line.
kernels() {
  cat "$1"/*/result.json | grep -o '"kernels": *"[^"]*"' | sed 's/.*: *"\(.*\)"/\1/' | sort -u
}

# steps SWEEP: the training steps its finished trials ran, beside those they would have run
# unpruned (a pruned trial at its whole budget, every other at the steps it ran).
steps() {
  local ran=0 full=0 pruned=0 n=0 d r s b
  for d in "$1"/*/; do
    [ -f "$d/result.json" ] || continue
    r=$(sed -n 's/^  "steps_run": \([0-9]*\),$/\1/p' "$d/result.json")
    s=$(sed -n 's/^  "status": "\(.*\)",$/\1/p' "$d/result.json")
    b=$(sed -n 's/^  "steps": \([0-9]*\),$/\1/p' "$d/config.json")
    n=$((n + 1)) ran=$((ran + r))
    if [ "$s" = pruned ]; then pruned=$((pruned + 1)) full=$((full + b)); else full=$((full + r)); fi
  done
  [ "$full" -gt 0 ] || return 0
  printf 'Steps run: %d of the %d that its %d finished trials would have run unpruned (%d%%); %d trials pruned.\n\n' \
    "$ran" "$full" "$n" $(((200 * ran / full + 1) / 2)) "$pruned"
}

for e in $EXPERIMENTS; do
  sweep=$RUNS/$e
  dest=docs/results/$e
  [ -d "$sweep" ] || { echo "no sweep directory $sweep: run 'expctl run sweep $e --out $RUNS' first" >&2; exit 1; }
  # Rendered into a staging folder, which replaces what this script wrote in $dest only
  # once the whole report is there: a failed render leaves the committed one as it was.
  out=$stage/$e
  mkdir -p "$out"
  printf '# %s\n\n' "$e" > "$out/tables.md"
  "$EXPCTL" experiments | awk -v e="$e" '$1 == e { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' >> "$out/tables.md"
  printf '\nRendered by `docs/results/render.sh` from the sweep directory.\n\n' >> "$out/tables.md"
  steps "$sweep" >> "$out/tables.md"
  case $e in
  adding-length)
    section "Test MSE" --agg median
    section "Accuracy (|error| < 0.04)" --metric test_metric --agg median
    section "Gradient flow and spectra" --gradients --where 'T=100,400,1000'
    "$EXPCTL" report --gradients --plots "$out" --html "$out/index.html" "$sweep" > /dev/null
    # The lstm from T=400 with 20,000 steps and no pruning (long-lstm.yaml, run into
    # RUNS/extra), when it has been run: its tables, and its figures in long-lstm/.
    if extra_section "$RUNS/extra/adding-long-lstm" "lstm with 20,000 steps, no pruning (long-lstm.yaml): test MSE" --agg median; then
      mkdir -p "$out/long-lstm"
      "$EXPCTL" report --gradients --plots "$out/long-lstm" "$RUNS/extra/adding-long-lstm" > /dev/null
    fi
    # The irnn from T=400 and the lstm at T=100 with RMSProp's average of squared gradients
    # starting at 1e-3 (irnn-rms-init.yaml, lstm-rms-init.yaml, run into RUNS/extra), when
    # they have been run.
    extra_section "$RUNS/extra/adding-irnn-rms-init" "irnn with rms_init 1e-3 (irnn-rms-init.yaml): test MSE" --agg median || true
    extra_section "$RUNS/extra/adding-lstm-rms-init" "lstm at T=100 with rms_init 1e-3 (lstm-rms-init.yaml): test MSE" --agg median || true
    ;;
  copy-length)
    section "Test cross-entropy" --agg median
    section "Recall accuracy on the 10 symbols" --metric test_metric --agg median
    "$EXPCTL" report --plots "$out" --html "$out/index.html" "$sweep" > /dev/null
    ;;
  hochreiter-adding)
    section "Accuracy (|error| < 0.04)" --rows cell,forget_bias --metric test_metric --agg median
    section "Test MSE" --rows cell,forget_bias --agg median
    # What docs/results/check.sh reproduces: the T=100 trials, and the kernels that
    # computed them (other kernels round differently).
    "$EXPCTL" report --format markdown --rows cell,forget_bias --metric test_metric --where T=100 "$sweep" > "$out/check-T100.md"
    "$EXPCTL" report --format markdown --rows cell,forget_bias --where T=100 "$sweep" >> "$out/check-T100.md"
    kernels "$sweep" > "$out/kernels.txt"
    "$EXPCTL" report --rows cell,forget_bias --plots "$out" --html "$out/index.html" "$sweep" > /dev/null
    # T=100 and T=500 with larger budgets (long-T100.yaml and long-T500.yaml, run into
    # RUNS/extra), when they have been run.
    extra_section "$RUNS/extra/hochreiter-long-T100" "T=100 with 20,000 steps (long-T100.yaml): accuracy" \
      --rows cell,forget_bias --metric test_metric --agg median || true
    extra_section "$RUNS/extra/hochreiter-long-T500" "T=500 with 30,000 steps (long-T500.yaml): accuracy" \
      --rows cell,forget_bias --metric test_metric --agg median || true
    ;;
  clipping)
    # a table and a set of figures per learning rate: the two rates diverge differently
    for lr in 0.01 0.1; do
      section "Final test MSE, SGD lr $lr" --rows cell,clip --agg median --where "lr=$lr"
      mkdir -p "$out/lr-$lr"
      "$EXPCTL" report --rows cell,clip --where "lr=$lr" --plots "$out/lr-$lr" "$sweep" > /dev/null
    done
    "$EXPCTL" report --rows cell,clip,lr --html "$out/index.html" "$sweep" > /dev/null
    ;;
  lr-halving)
    section "Final test MSE per learning rate" --rows lr --cols cell --agg median
    "$EXPCTL" report --rows lr --cols cell --html "$out/index.html" "$sweep" > /dev/null
    # The same grid without pruning (lr-full.yaml) and with rungs before the LSTM's
    # plateau ends (early-rungs.yaml, run into RUNS/early), when they have been run.
    for d in "$RUNS/lr-full:lr-full.yaml, the whole grid" "$RUNS/early/lr-halving:early-rungs.yaml, rungs at 500 and 1500"; do
      if extra_section "${d%%:*}" "Final test MSE per learning rate: ${d#*:}" --rows lr --cols cell --agg median; then
        steps "${d%%:*}" >> "$out/tables.md"
      fi
    done
    ;;
  esac
  mkdir -p "$dest"
  rm -f "$dest"/*.svg "$dest"/*.png "$dest"/*/*.svg "$dest"/*/*.png "$dest/index.html" "$dest/tables.md" \
    "$dest/check-T100.md" "$dest/kernels.txt" # what this script writes
  cp -R "$out"/. "$dest"/
  echo "rendered $dest"
done
