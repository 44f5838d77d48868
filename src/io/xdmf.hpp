#pragma once
// XDMF 2 descriptions of HDF5 field files, so that ParaView (both its XDMF readers) and VisIt open
// them. XDMF lists dimensions slowest first (z y x), like the HDF5 datasets it points to; the
// origin and spacing of a co-rectilinear mesh follow the same order.
//
// Every grid is described in the 3D form (3DCoRectMesh, ORIGIN_DXDYDZ), the directions a result
// does not have given one point at 0: a 2D result lies in ParaView's x-y plane (z = 0) and a 1D
// one along x. (The 2D forms place XDMF's two dimensions on ParaView's y and z axes, and the
// legacy reader shows a field whose DataItem has fewer dimensions than the mesh as a constant.)
#include <mpi.h>

#include <optional>
#include <string>
#include <vector>

#include "io/uniform_grid.hpp"

namespace tessera::io {

/// One uniform grid and the node-centred fields on it, stored as datasets at the root of an HDF5
/// file: scalars with the grid's shape, vectors with the grid's shape and a last dimension of 3
/// (x, y, z components).
struct XdmfDescription {
  /// The HDF5 file as the .xmf refers to it: relative to the .xmf's folder (normally its bare
  /// name), so that the two files can be moved together.
  std::string h5_file;
  UniformGrid grid;
  std::vector<std::string> fields;
  std::vector<std::string> vectors;
  /// The physical time of the fields, written as the grid's <Time>; none for a steady result.
  std::optional<double> time;
};

/// The XML text for description (not collective): one Uniform grid on a 3DCoRectMesh (see the
/// file comment), its scalar and vector attributes, and its <Time> if it has one. The HDF5
/// datasets keep their own shape ([n] for a 1D field); their DataItems give the 3D form
/// ([1][1][n]), the only one ParaView's legacy reader reads right. A grid that grid_problem()
/// rejects throws tessera::Error.
std::string xdmf_text(const XdmfDescription& description);

/// The XML text of a temporal collection (not collective): one grid per step, in the given order,
/// as xdmf_text() describes it; every step must have a time, else tessera::Error.
std::string xdmf_collection_text(const std::vector<XdmfDescription>& steps);

/// Collective over comm. Rank 0 writes xdmf_text(description) to unique_temporary_path(path)
/// (io/output_directory.hpp) and renames it to
/// path, so a viewer never sees half a file; every rank throws the same tessera::Error if that
/// fails.
void write_xdmf(MPI_Comm comm, const std::string& path, const XdmfDescription& description);

/// Collective over comm. As write_xdmf, with xdmf_collection_text(steps) (rank 0's steps).
void write_xdmf_collection(MPI_Comm comm, const std::string& path,
                           const std::vector<XdmfDescription>& steps);

}  // namespace tessera::io
