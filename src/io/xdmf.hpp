#pragma once
// XDMF 2 descriptions of HDF5 field files, so that ParaView (Xdmf reader) and VisIt open them.
// XDMF lists dimensions slowest first (z y x), like the HDF5 datasets it points to; the origin
// and spacing of a co-rectilinear mesh follow the same order.
#include <mpi.h>

#include <string>
#include <vector>

#include "io/uniform_grid.hpp"

namespace tessera::io {

/// One uniform grid and the node-centred scalar fields on it, stored as datasets at the root of
/// an HDF5 file with the grid's shape.
struct XdmfDescription {
  /// The HDF5 file as the .xmf refers to it: relative to the .xmf's folder (normally its bare
  /// name), so that the two files can be moved together.
  std::string h5_file;
  UniformGrid grid;
  std::vector<std::string> fields;
};

/// The XML text for description (not collective). 2D grids give a 2DCoRectMesh with ORIGIN_DXDY
/// geometry, 3D grids a 3DCoRectMesh with ORIGIN_DXDYDZ. XDMF has no 1D co-rectilinear mesh, so a
/// 1D grid of n points gives a 2DCoRectMesh of 1 x n points at y = 0 (a line in ParaView), its
/// fields keeping their [n] shape. A grid that grid_problem() rejects throws tessera::Error.
std::string xdmf_text(const XdmfDescription& description);

/// Collective over comm. Rank 0 writes xdmf_text(description) to unique_temporary_path(path)
/// (io/output_directory.hpp) and renames it to
/// path, so a viewer never sees half a file; every rank throws the same tessera::Error if that
/// fails.
void write_xdmf(MPI_Comm comm, const std::string& path, const XdmfDescription& description);

}  // namespace tessera::io
