"""Opens a Tessera result's XDMF file with both of ParaView's XDMF readers and checks where its
points land and what they hold, as a ParaView user would see it (run with pvpython).

    pvpython paraview_xdmf_check.py FILE.xmf [--bounds X0 X1 Y0 Y1 Z0 Z1] [--points N]
        [--coordinates x,y,z] [--vector NAME] [--varying NAME] [--times T0 T1 ... | --time T]

--bounds       the data set's bounds (to 1e-9 relative): a 2D result spans x and y with z flat,
               a 1D one x alone
--points       the number of points
--coordinates  point arrays that must equal the points' x (, y, z) coordinates, to 1e-12: the
               arrays land where the geometry says (dimension order, origin, spacing)
--vector       a point array that must have 3 components
--varying      a point array that must not be constant (the legacy reader once showed 1D
               arrays as constants)
--times        a temporal collection's time values, in order; every step is then checked
--time         a single grid's time: XDMFReader must report it; Xdmf3ReaderS reports time values
               of temporal collections only, so it may report none
Prints one line per reader and check; exits 1 on the first failure.
"""
import argparse
import os
import sys

from paraview.simple import Delete, XDMFReader, Xdmf3ReaderS
from vtkmodules.vtkCommonDataModel import vtkDataSet


def datasets(data):
    """The leaf data sets of a reader's output (a composite for some readers)."""
    if isinstance(data, vtkDataSet):
        return [data]
    leaves = []
    iterator = data.NewIterator()
    iterator.InitTraversal()
    while not iterator.IsDoneWithTraversal():
        leaves.append(iterator.GetCurrentDataObject())
        iterator.GoToNextItem()
    return leaves


def close(a, b, tolerance):
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check_step(label, data, args):
    leaves = datasets(data)
    if len(leaves) != 1:
        fail(f"{label}: {len(leaves)} data sets, expected 1")
    grid = leaves[0]
    if args.points is not None and grid.GetNumberOfPoints() != args.points:
        fail(f"{label}: {grid.GetNumberOfPoints()} points, expected {args.points}")
    if args.bounds:
        bounds = grid.GetBounds()
        if not all(close(b, e, 1e-9) for b, e in zip(bounds, args.bounds)):
            fail(f"{label}: bounds {bounds}, expected {tuple(args.bounds)}")
    point_data = grid.GetPointData()
    for axis, name in enumerate(args.coordinates.split(",") if args.coordinates else []):
        array = point_data.GetArray(name)
        if array is None:
            fail(f"{label}: no point array '{name}'")
        worst = max(abs(array.GetValue(p) - grid.GetPoint(p)[axis])
                    for p in range(grid.GetNumberOfPoints()))
        if worst > 1e-12:
            fail(f"{label}: array '{name}' differs from the points' coordinate {axis} by {worst}")
    if args.vector:
        array = point_data.GetArray(args.vector)
        if array is None or array.GetNumberOfComponents() != 3:
            fail(f"{label}: '{args.vector}' is not a 3-component point array")
    if args.varying:
        array = point_data.GetArray(args.varying)
        if array is None:
            fail(f"{label}: no point array '{args.varying}'")
        low, high = array.GetRange()
        if not high > low:
            fail(f"{label}: '{args.varying}' is constant ({low})")
    print(f"ok: {label}: {grid.GetNumberOfPoints()} points, bounds "
          f"{tuple(round(b, 12) for b in grid.GetBounds())}")


def check(reader_name, make_reader, args):
    # Xdmf3ReaderS finds the HDF5 file next to the .xmf only through an absolute path.
    path = os.path.abspath(args.file)
    reader = make_reader(path)
    label = f"{reader_name} {args.file}"
    times = list(reader.TimestepValues)
    expected = args.times or ([args.time] if args.time is not None else [])
    if args.time is not None and reader_name == "Xdmf3ReaderS" and not times:
        expected = []
    if len(times) != len(expected) or not all(
            close(t, e, 1e-12) for t, e in zip(times, expected)):
        fail(f"{label}: time values {times}, expected {expected}")
    if times:
        print(f"ok: {label}: time values {times}")
    for time in times or [None]:
        if time is None:
            reader.UpdatePipeline()
        else:
            reader.UpdatePipeline(time)
        # pvpython's builtin session: the reader's own output, at the time just updated.
        data = reader.GetClientSideObject().GetOutputDataObject(0)
        check_step(label if time is None else f"{label} at t = {time}", data, args)
    Delete(reader)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--bounds", type=float, nargs=6)
    parser.add_argument("--points", type=int)
    parser.add_argument("--coordinates")
    parser.add_argument("--vector")
    parser.add_argument("--varying")
    times = parser.add_mutually_exclusive_group()
    times.add_argument("--times", type=float, nargs="+")
    times.add_argument("--time", type=float)
    args = parser.parse_args()
    for name, make_reader in (("XDMFReader", lambda path: XDMFReader(FileNames=[path])),
                              ("Xdmf3ReaderS", lambda path: Xdmf3ReaderS(FileName=path))):
        check(name, make_reader, args)


main()
