#!/usr/bin/env bash
# Whole-pipeline speed, faxprep beside Ghostscript, on the same files in one
# run (public tools only: GNU time for peak memory, bash for the rest).
#
#   scripts/compare-gs.sh [--runs N] [FILES...]
#
# Default files: the corpus pdf-text PDFs (../shared/corpus, kind pdf-text).
# For each file and engine it takes the median wall seconds over N runs
# (bash's EPOCHREALTIME around the command)
# (default 3; engines alternated so drift hits both alike) and the largest
# peak RSS, then prints one row per file and the totals with the ratio
# gs / faxprep (above 1 means faxprep is faster). faxprep runs as the CLI
# does by default: isolated worker, G4, fine, Letter, no cover.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3
if [ "${1:-}" = "--runs" ]; then runs=$2; shift 2; fi
corpus=../shared/corpus
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    while IFS=$'\t' read -r file _split kind _rest; do
        [ "$kind" = pdf-text ] && files+=("$corpus/$file")
    done < "$corpus/INDEX.tsv"
fi
command -v gs >/dev/null || { echo "needs ghostscript" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release -q -p faxprep-cli
bin=${CARGO_TARGET_DIR:-target}/release/faxprep
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() { # prints "seconds maxrss_kb" of one command
    # Wall time from bash's microsecond clock around the command (GNU
    # time's %e is rounded to 10 ms), peak RSS from GNU time.
    local start=$EPOCHREALTIME end
    /usr/bin/time -f '%M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || {
        echo "FAILED: $*" >&2; tail -3 "$tmp/err" >&2; echo "nan 0"; return; }
    end=$EPOCHREALTIME
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}') $(cat "$tmp/time")"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-44s %8s %8s %7s %8s %8s\n' file fp_s gs_s ratio fp_MB gs_MB
tot_fp=0; tot_gs=0; worst=0
for f in "${files[@]}"; do
    : > "$tmp/fp"; : > "$tmp/gs"; fp_mem=0; gs_mem=0
    for _ in $(seq "$runs"); do
        read -r s m < <(measure "$bin" prepare "$f" -o "$tmp/fp.tif")
        echo "$s" >> "$tmp/fp"; [ "$m" -gt "$fp_mem" ] && fp_mem=$m
        read -r s m < <(measure gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 \
            -sPAPERSIZE=letter -dFIXEDMEDIA -dPDFFitPage -sOutputFile="$tmp/gs.tif" "$f")
        echo "$s" >> "$tmp/gs"; [ "$m" -gt "$gs_mem" ] && gs_mem=$m
    done
    fp=$(median < "$tmp/fp"); gs=$(median < "$tmp/gs")
    ratio=$(awk -v a="$gs" -v b="$fp" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    printf '%-44s %8.3f %8.3f %7s %8d %8d\n' "$(basename "$f")" "$fp" "$gs" "$ratio" \
        $((fp_mem / 1024)) $((gs_mem / 1024))
    tot_fp=$(awk -v a="$tot_fp" -v b="$fp" 'BEGIN {print a + b}')
    tot_gs=$(awk -v a="$tot_gs" -v b="$gs" 'BEGIN {print a + b}')
done
printf '%-44s %8.3f %8.3f %7s\n' TOTAL "$tot_fp" "$tot_gs" \
    "$(awk -v a="$tot_gs" -v b="$tot_fp" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
