#!/usr/bin/env python3
"""How much of a page's OCR word recall is the page, and how much is tesseract.

`../shared/eval/faxeval.py` reads each page of an engine's fax output once.
This script reads the same pages again moved by a pixel or two (the same
1-bit pixels, translated on a white page of the same size) and reports,
for every page and engine, the recall at each shift and its mean. A page
whose recall changes when nothing but its position on the paper changed
shows the noise of the measurement itself: tesseract's page layout
analysis (columns, tab stops, tables) is a global decision that a few
pixels can flip.

  scripts/ocr-shift.py [--pages N] [--shifts '0,0 1,0 -1,0 0,1'] [--turns 0,270]
                       [--engine gs] [--engine 'NAME=TEMPLATE'] FILES...

Engines are given as in faxeval.py ({in}, {out}); the default pair is
Ghostscript's tiffg4 recipe and `faxprep prepare --in-process` from
target/release. It prints one row per page and, at the end, the pages where
the second engine's mean over the shifts is below the first engine's by
more than 0.02, and for each engine how many pages change by more than 0.02
between shifts.

--turns also reads every page turned by these angles (counter-clockwise)
and keeps the best reading, for every engine alike: fax pipelines turn
landscape pages upright (portrait), and tesseract does not turn them back,
so such a page reads near 0 while pdftotext's words are all there.

Needs what faxeval.py needs (ghostscript, poppler-utils, tesseract-ocr,
python3 with pillow) and faxeval.py itself beside the repository.
"""
import argparse, importlib.util, os, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FAXEVAL = os.path.join(HERE, "..", "..", "shared", "eval", "faxeval.py")


def load_faxeval():
    spec = importlib.util.spec_from_file_location("faxeval", FAXEVAL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def shifted(img, dx, dy):
    """The same pixels moved by (dx, dy) on a white page of the same size."""
    from PIL import Image
    img = img.convert("L")
    out = Image.new("L", img.size, 255)
    out.paste(img, (dx, dy))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--engine", action="append")
    ap.add_argument("--pages", type=int, default=5)
    ap.add_argument("--shifts", default="0,0 1,0 -1,0 0,1")
    ap.add_argument("--turns", default="0")
    a = ap.parse_args()
    fe = load_faxeval()
    binary = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "..", "target"))
    engines = a.engine or [
        "gs", f"faxprep={binary}/release/faxprep prepare {{in}} -o {{out}} --in-process"]
    engines = [e.split("=", 1) if "=" in e else (e, fe.BUILTIN[e]) for e in engines]
    shifts = [tuple(int(v) for v in s.split(",")) for s in a.shifts.split()]
    turns = [int(t) for t in a.turns.split(",")]
    names = [n for n, _ in engines]
    rows = []  # (file, page, {engine: [recall per shift]})
    with tempfile.TemporaryDirectory() as tmp:
        for src in a.files:
            truth = fe.truth_pages(src, a.pages)
            got = {}
            for name, template in engines:
                # Built-in engines other than gs write a directory of pages.
                out = os.path.join(tmp, name + ("" if template.startswith("__") else ".tif"))
                subprocess.run(fe.engine_cmd(name, template, src, out), shell=True,
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for i, img in enumerate(fe.pages_of(out)):
                    if i >= a.pages or not truth[i]:
                        continue
                    got.setdefault(i, {})[name] = [
                        max(fe.recall(truth[i], fe.words(fe.ocr(
                            shifted(img, dx, dy).rotate(t, expand=True), tmp, 204)))
                            for t in turns)
                        for dx, dy in shifts]
            for i in sorted(got):
                if len(got[i]) == len(names):
                    rows.append((os.path.basename(src), i + 1, got[i]))
                    cells = "  ".join(
                        f"{n}: " + " ".join(f"{r:.3f}" for r in got[i][n])
                        + f" mean {statistics.mean(got[i][n]):.3f}" for n in names)
                    print(f"{rows[-1][0]} p{i + 1}  {cells}", flush=True)
    base, other = names[0], names[-1]
    print(f"\nshifts {a.shifts}; turns {a.turns}; {len(rows)} pages")
    for n in names:
        moved = [r for r in rows if max(r[2][n]) - min(r[2][n]) > 0.02]
        print(f"{n}: {len(moved)} pages change by more than 0.02 between shifts; "
              f"mean recall {statistics.mean(statistics.mean(r[2][n]) for r in rows):.4f}")
    worse = [r for r in rows
             if statistics.mean(r[2][other]) < statistics.mean(r[2][base]) - 0.02]
    print(f"pages where {other}'s mean is below {base}'s by more than 0.02: {len(worse)}")
    for f, p, g in worse:
        print(f"  {f} p{p}: {statistics.mean(g[other]):.3f} vs {statistics.mean(g[base]):.3f}")
    first = [r for r in rows if r[2][other][0] < r[2][base][0] - 0.02]
    print(f"pages where {other} is below {base} by more than 0.02 unshifted "
          f"(faxeval's reading): {len(first)}")
    for f, p, g in first:
        print(f"  {f} p{p}: {g[other][0]:.3f} vs {g[base][0]:.3f}")


if __name__ == "__main__":
    sys.exit(main())
