#include "io/xdmf.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "core/error.hpp"
#include "io/output_directory.hpp"
#include "io/root_task.hpp"

namespace tessera::io {

namespace {

std::string escape_xml(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

// The shortest text that reads back as the same double, so the viewer places points exactly
// where the run had them.
std::string exact_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// Values of the directions of grid, slowest (z) first, as XDMF lists them.
template <class Value>
std::string slowest_first(const std::array<Value, 3>& values, int dim) {
  std::string text;
  for (int d = dim - 1; d >= 0; --d) {
    if constexpr (std::is_floating_point_v<Value>)
      text += exact_number(values[d]);
    else
      text += std::to_string(values[d]);
    if (d > 0) text += ' ';
  }
  return text;
}

void write_geometry(std::ostream& xml, const UniformGrid& grid) {
  const std::string dims = std::to_string(grid.dim);
  xml << "      <Geometry GeometryType=\"" << (grid.dim == 3 ? "ORIGIN_DXDYDZ" : "ORIGIN_DXDY")
      << "\">\n"
      << "        <DataItem Name=\"Origin\" Dimensions=\"" << dims
      << "\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
      << slowest_first(grid.origin, grid.dim) << "</DataItem>\n"
      << "        <DataItem Name=\"Spacing\" Dimensions=\"" << dims
      << "\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
      << slowest_first(grid.spacing, grid.dim) << "</DataItem>\n"
      << "      </Geometry>\n";
}

void write_field(std::ostream& xml, const std::string& h5_file, const std::string& field,
                 const std::string& shape) {
  xml << "      <Attribute Name=\"" << escape_xml(field)
      << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
      << "        <DataItem Dimensions=\"" << shape
      << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
      << escape_xml(h5_file + ":/" + field) << "</DataItem>\n"
      << "      </Attribute>\n";
}

// XDMF has no 1D co-rectilinear mesh: a line of n points is described as a 2D mesh of 1 x n
// points (y = 0), which ParaView and VisIt show as a line.
UniformGrid mesh_of(const UniformGrid& grid) {
  if (grid.dim != 1) return grid;
  UniformGrid plane = grid;
  plane.dim = 2;
  plane.points[1] = 1;
  plane.origin[1] = 0.0;
  plane.spacing[1] = 1.0;
  return plane;
}

void write_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = unique_temporary_path(path);
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot open '" + temporary + "' for writing");
    out << text;
    out.close();
    if (!out) throw std::runtime_error("writing '" + temporary + "' failed");
  }
  std::error_code code;
  std::filesystem::rename(temporary, path, code);
  if (code) {
    std::filesystem::remove(temporary, code);
    throw std::runtime_error("cannot rename '" + temporary + "' to '" + path + "'");
  }
}

}  // namespace

std::string xdmf_text(const XdmfDescription& description) {
  const UniformGrid& grid = description.grid;
  const std::string problem = grid_problem(grid);
  TESSERA_CHECK(problem.empty(),
                "XDMF description of '" << description.h5_file << "': " << problem);
  const UniformGrid mesh = mesh_of(grid);
  // The datasets keep their own shape (a 1D field is [n], not [1][n]).
  const std::string shape = slowest_first(grid.points, grid.dim);
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" ?>\n"
      << "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
      << "<Xdmf Version=\"2.0\">\n"
      << "  <Domain>\n"
      << "    <Grid Name=\"grid\" GridType=\"Uniform\">\n"
      << "      <Topology TopologyType=\"" << mesh.dim << "DCoRectMesh\" Dimensions=\""
      << slowest_first(mesh.points, mesh.dim) << "\"/>\n";
  write_geometry(xml, mesh);
  for (const auto& field : description.fields) write_field(xml, description.h5_file, field, shape);
  xml << "    </Grid>\n"
      << "  </Domain>\n"
      << "</Xdmf>\n";
  return xml.str();
}

void write_xdmf(MPI_Comm comm, const std::string& path, const XdmfDescription& description) {
  const std::string failure = run_on_root(comm, [&] {
    write_atomically(path, xdmf_text(description));
    return std::string();
  });
  TESSERA_CHECK(failure.empty(), "could not write the XDMF file '" << path << "': " << failure);
}

}  // namespace tessera::io
