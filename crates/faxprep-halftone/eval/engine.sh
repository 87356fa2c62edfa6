#!/bin/sh
# faxeval engine: render a PDF with poppler at fax resolution, halftone each
# page with faxprep-halftone, write a multi-page G4 TIFF.
#
#   engine.sh IN.pdf|IN.png|IN.jpg OUT.tif        (method from $FAXPREP_METHOD, default auto;
#                                                  $FAXPREP_LAST_PAGE: stop after that page;
#                                                  FAXPREP_FLATTEN=1: each page made a document
#                                                  page first, as for a picture of paper)
#
# Geometry: pdftoppm renders each page at 204 x 196 dpi at its own size (a
# Letter page is 1734 x 2156); Ghostscript's recipe fits the page to Letter
# instead. OCR recall does not depend on that; the G4 sizes differ by the
# few columns only. Images (PNG/JPEG) are converted to gray and scaled to
# fit 1728 x 2156 with ImageMagick, as a fax of a photo would be.
set -eu
in=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bin=${FAXPREP_HALFTONE_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/examples/halftone_pgm}
method=${FAXPREP_METHOD:-auto}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $(head -c 1024 "$in" | tr -d '\0' | grep -c '%PDF' || true) in
0) convert "$in[0]" -colorspace gray -resize '1728x2156>' -depth 8 "$tmp/p-1.pgm" ;;
*) pdftoppm -q -gray -rx 204 -ry 196 ${FAXPREP_LAST_PAGE:+-l "$FAXPREP_LAST_PAGE"} "$in" "$tmp/p" ;;
esac
for p in "$tmp"/p-*.pgm; do
    "$bin" --method "$method" ${FAXPREP_FLATTEN:+--flatten} "$p" "${p%.pgm}.pbm" 2>/dev/null
    pnmtotiff -g4 "${p%.pgm}.pbm" > "${p%.pgm}.tif" 2>/dev/null
done
# Pages sort by number: pdftoppm pads them to the same width.
tiffcp -c g4 $(ls "$tmp"/p-*.tif | sort) "$out"
