"""Checks tessera-plot's figures (run with the Python that runs tessera-plot).

  check_plots.py draw TESSERA_PLOT OUTDIR FILE.h5 FIGURE...
      draws FILE.h5 into OUTDIR; every <stem>_<FIGURE>.png must exist and be a real figure
  check_plots.py exist OUTDIR STEM FIGURE...
      the figures a run's -plot true wrote must exist and be real figures
  check_plots.py bad TESSERA_PLOT OUTDIR
      files tessera-plot does not understand: exit status 2, a message naming the file and what
      is wrong, and no figure written (also for good files given with them)

A real figure: a PNG over MIN_BYTES whose pixels are not one colour (their standard deviation is
over MIN_STD) and of which over MIN_COLOURED are coloured (max - min of R, G, B over 0.2): the
data drawn, where axes, ticks and text are grey (a figure with empty axes: 0; measured: a loss
history with 3 curves 0.006 to 0.013, a row of field images 0.45). Prints "CHECK FAILED: ..." and
exits 1 on the first failure.
"""
import glob
import os
import subprocess
import sys

import h5py
import matplotlib.image
import numpy

MIN_BYTES = 8000
MIN_STD = 0.05
MIN_COLOURED = 0.002


def fail(message):
    print("CHECK FAILED: " + message)
    sys.exit(1)


def check_figure(path):
    if not os.path.isfile(path):
        fail("%s was not written (written: %s)" % (
            path, ", ".join(sorted(os.path.basename(p) for p in
                                   glob.glob(os.path.join(os.path.dirname(path), "*.png"))))))
    size = os.path.getsize(path)
    pixels = matplotlib.image.imread(path)[..., :3]
    std = float(pixels.std())
    coloured = float(((pixels.max(axis=-1) - pixels.min(axis=-1)) > 0.2).mean())
    print("%s: %d bytes, %dx%d, pixel std %.3f, coloured %.4f" % (
        os.path.basename(path), size, pixels.shape[1], pixels.shape[0], std, coloured))
    if size < MIN_BYTES or std < MIN_STD or coloured < MIN_COLOURED:
        fail("%s is no real figure (%d bytes, pixel std %.3f, coloured %.4f; want > %d, > %.2f, "
             "> %.3f)" % (path, size, std, coloured, MIN_BYTES, MIN_STD, MIN_COLOURED))


def fresh(directory):
    os.makedirs(directory, exist_ok=True)
    for old in glob.glob(os.path.join(directory, "*.png")):
        os.remove(old)


def draw(plot, outdir, path, figures):
    fresh(outdir)
    run = subprocess.run([plot, "--output-dir", outdir, path], capture_output=True, text=True)
    print(run.stdout + run.stderr)
    if run.returncode != 0:
        fail("tessera-plot exited with %d on %s" % (run.returncode, path))
    stem = os.path.splitext(os.path.basename(path))[0]
    for figure in figures:
        check_figure(os.path.join(outdir, "%s_%s.png" % (stem, figure)))


def bad(plot, outdir):
    fresh(outdir)
    text_file = os.path.join(outdir, "notes.h5")
    with open(text_file, "w") as f:
        f.write("not HDF5\n")
    foreign = os.path.join(outdir, "foreign.h5")
    with h5py.File(foreign, "w") as f:
        f["pinn"] = numpy.linspace(0.0, 1.0, 16).reshape(4, 4)
    empty = os.path.join(outdir, "empty.h5")
    with h5py.File(empty, "w") as f:
        f.attrs["tessera_version"] = "0.1.0"
        f["parameters"] = numpy.zeros((3, 1))  # a table without its columns: nothing to draw
    good = os.path.join(outdir, "good.h5")
    with h5py.File(good, "w") as f:
        f.attrs["tessera_version"] = "0.1.0"
        history = f.create_dataset("history", data=numpy.array([[0, 0, 1.0], [1, 0, 0.5]]))
        history.attrs["columns"] = [b"iteration", b"phase", b"loss"]
    cases = [(text_file, "not an HDF5 file"),
             (foreign, "not written by Tessera (no tessera_version attribute)"),
             (empty, "holds nothing tessera-plot can draw"),
             (os.path.join(outdir, "missing.h5"), "no such file")]
    for path, reason in cases:
        run = subprocess.run([plot, good, path], capture_output=True, text=True)
        print("%s: exit %d: %s" % (os.path.basename(path), run.returncode, run.stderr.strip()))
        if run.returncode != 2:
            fail("tessera-plot exited with %d on %s, expected 2" % (run.returncode, path))
        if "%s: %s" % (path, reason) not in run.stderr:
            fail("tessera-plot's message does not say '%s: %s'" % (path, reason))
        written = glob.glob(os.path.join(outdir, "*.png"))
        if written:
            fail("tessera-plot wrote %s although %s is bad" % (written, path))
    run = subprocess.run([plot, good], capture_output=True, text=True)
    if run.returncode != 0:
        fail("tessera-plot exited with %d on the good file: %s" % (run.returncode, run.stderr))
    check_figure(os.path.join(outdir, "good_history.png"))


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "draw" and len(argv) >= 6:
        draw(argv[2], argv[3], argv[4], argv[5:])
    elif mode == "exist" and len(argv) >= 5:
        for figure in argv[4:]:
            check_figure(os.path.join(argv[2], "%s_%s.png" % (argv[3], figure)))
    elif mode == "bad" and len(argv) == 4:
        bad(argv[2], argv[3])
    else:
        fail("usage: see " + argv[0])
    print("plots ok")


if __name__ == "__main__":
    main(sys.argv)
