#!/usr/bin/env python3
"""Size and tone measurements for faxprep-halftone (issue 5).

  measure.py sizes [--pages N] FILE.pdf...
                                 G4 bytes per page: gs (tiffg4, fit to Letter),
                                 faxprep auto, plain threshold (faxprep threshold=128);
                                 --pages N: only the first N pages of each file
  measure.py tone FILE...        blurred MAE (Gaussian sigma 1.5) of the 1-bit page
                                 against the gray page, auto vs floyd-steinberg, over
                                 the tiles auto dithers ("photo"), over those more than
                                 5 pixels from a thresholded one ("photo inside") and
                                 over the page; and the share of photo pixels that
                                 auto and floyd-steinberg set alike

Needs the example built: cargo build --release -p faxprep-halftone --example halftone_pgm
(set CARGO_TARGET_DIR as for the build), ghostscript, poppler-utils, imagemagick,
netpbm, libtiff-tools, python3 with pillow and numpy.
"""
import os, subprocess, sys, tempfile
import numpy as np
from PIL import Image, ImageFilter, ImageSequence

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../../.."))
BIN = os.environ.get("FAXPREP_HALFTONE_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release/examples/halftone_pgm")
ENGINE = os.path.join(HERE, "engine.sh")


def g4_pages(tif):
    """G4 bytes of each page of a TIFF (sum of its strips)."""
    out = []
    for frame in ImageSequence.Iterator(Image.open(tif)):
        out.append(sum(frame.tag_v2.get(279, (0,))))
    return out


def sizes(files):
    last = []
    if files[:1] == ["--pages"]:
        last, files = [files[1]], files[2:]
    env = dict(os.environ, FAXPREP_LAST_PAGE=last[0]) if last else dict(os.environ)
    print("file | page | gs | faxprep auto | threshold 128 | auto / threshold")
    print("---|---|---|---|---|---")
    tot = {"gs": 0, "auto": 0, "thr": 0}
    for f in files:
        with tempfile.TemporaryDirectory() as t:
            subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg4", "-r204x196",
                            "-sPAPERSIZE=letter", "-dFIXEDMEDIA", "-dPDFFitPage", f"-sOutputFile={t}/gs.tif"]
                           + [f"-dLastPage={p}" for p in last] + [f], check=True)
            subprocess.run([ENGINE, f, f"{t}/auto.tif"], check=True, env=env)
            subprocess.run([ENGINE, f, f"{t}/thr.tif"], check=True, env=dict(env, FAXPREP_METHOD="threshold"))
            gs, auto, thr = g4_pages(f"{t}/gs.tif"), g4_pages(f"{t}/auto.tif"), g4_pages(f"{t}/thr.tif")
        for i, (a, b, c) in enumerate(zip(gs, auto, thr)):
            tot["gs"] += a; tot["auto"] += b; tot["thr"] += c
            print(f"{os.path.basename(f)} | {i + 1} | {a} | {b} | {c} | {b / c:.3f}")
    print(f"total | | {tot['gs']} | {tot['auto']} | {tot['thr']} | {tot['auto'] / tot['thr']:.3f}")


def gray_pages(f, t):
    if open(f, "rb").read(1024).find(b"%PDF") >= 0:
        subprocess.run(["pdftoppm", "-q", "-gray", "-rx", "204", "-ry", "196", "-l", "2", f, f"{t}/p"], check=True)
    else:
        subprocess.run(["convert", f + "[0]", "-colorspace", "gray", "-resize", "1728x2156>", "-depth", "8",
                        f"{t}/p-1.pgm"], check=True)
    return sorted(os.path.join(t, p) for p in os.listdir(t) if p.startswith("p-") and p.endswith(".pgm"))


# "Photo inside": photo pixels farther than the blur reaches (3 sigma, 5
# pixels) from any thresholded pixel, where the blurred error is the photo's
# own and not that of the text or paper beside it.
INSIDE = 5


def erode(mask, r):
    """Pixels of `mask` whose 4-neighbourhood steps stay in it `r` times over."""
    out = mask.copy()
    for _ in range(r):
        o = out.copy()
        o[1:, :] &= out[:-1, :]
        o[:-1, :] &= out[1:, :]
        o[:, 1:] &= out[:, :-1]
        o[:, :-1] &= out[:, 1:]
        out = o
    return out


def blur(a):
    return np.asarray(Image.fromarray(a.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float64)


def tone(files):
    print("file | page | photo share | MAE auto / fs (photo) | MAE auto / fs (photo inside) "
          "| same pixels (photo) | MAE auto / fs (page)")
    print("---|---|---|---|---|---|---")
    for f in files:
        with tempfile.TemporaryDirectory() as t:
            for p in gray_pages(f, t):
                res = {}
                for m in ("auto", "floyd-steinberg"):
                    args = [BIN, "--method", m, p, f"{p}.{m}.pbm"]
                    if m == "auto":
                        args[1:1] = ["--mask", f"{p}.mask.pgm"]
                    subprocess.run(args, check=True, stderr=subprocess.DEVNULL)
                    res[m] = np.asarray(Image.open(f"{p}.{m}.pbm").convert("L"), dtype=np.float64)
                gray = np.asarray(Image.open(p), dtype=np.float64)
                mask = np.asarray(Image.open(f"{p}.mask.pgm")) > 0
                g = blur(gray)
                err = {m: np.abs(blur(v) - g) for m, v in res.items()}
                share = mask.mean()
                inside = erode(mask, INSIDE)
                pair = lambda m: (f"{err['auto'][m].mean():.2f} / {err['floyd-steinberg'][m].mean():.2f}"
                                  if m.any() else "-")
                same = f"{(res['auto'] == res['floyd-steinberg'])[mask].mean():.4f}" if share > 0 else "-"
                print(f"{os.path.basename(f)} | {os.path.basename(p)} | {share:.2f} | {pair(mask)} | "
                      f"{pair(inside)} | {same} | {pair(np.ones_like(mask))}")


if __name__ == "__main__":
    {"sizes": sizes, "tone": tone}[sys.argv[1]](sys.argv[2:])
