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

// The three directions' values, slowest (z) first, as XDMF lists them.
template <class Value>
std::string slowest_first(const std::array<Value, 3>& values, int count = 3) {
  std::string text;
  for (int d = count - 1; d >= 0; --d) {
    if constexpr (std::is_floating_point_v<Value>)
      text += exact_number(values[d]);
    else
      text += std::to_string(values[d]);
    if (d > 0) text += ' ';
  }
  return text;
}

// grid in three directions, those it does not have with one point at 0.
UniformGrid volume_of(const UniformGrid& grid) {
  UniformGrid volume = grid;
  volume.dim = 3;
  for (int d = grid.dim; d < 3; ++d) {
    volume.points[d] = 1;
    volume.origin[d] = 0.0;
    volume.spacing[d] = 1.0;
  }
  return volume;
}

void write_geometry(std::ostream& xml, const UniformGrid& volume) {
  xml << "      <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
      << "        <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
         "Format=\"XML\">"
      << slowest_first(volume.origin) << "</DataItem>\n"
      << "        <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" "
         "Precision=\"8\" Format=\"XML\">"
      << slowest_first(volume.spacing) << "</DataItem>\n"
      << "      </Geometry>\n";
}

void write_attribute(std::ostream& xml, const std::string& h5_file, const std::string& field,
                     const char* type, const std::string& shape) {
  xml << "      <Attribute Name=\"" << escape_xml(field) << "\" AttributeType=\"" << type
      << "\" Center=\"Node\">\n"
      << "        <DataItem Dimensions=\"" << shape
      << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
      << escape_xml(h5_file + ":/" + field) << "</DataItem>\n"
      << "      </Attribute>\n";
}

// One <Grid> element; the caller has checked the grid.
void write_grid(std::ostream& xml, const XdmfDescription& description) {
  const UniformGrid& grid = description.grid;
  const UniformGrid volume = volume_of(grid);
  // The datasets keep their own shape ([n] in 1D) but are described in the topology's 3D form:
  // ParaView's legacy reader reads a [n] item on a 1 x 1 x n mesh as one value (measured, 5.11).
  const std::string shape = slowest_first(volume.points);
  const std::string name = std::filesystem::path(description.h5_file).stem().string();
  xml << "    <Grid Name=\"" << escape_xml(name.empty() ? "grid" : name)
      << "\" GridType=\"Uniform\">\n";
  if (description.time)
    xml << "      <Time Value=\"" << exact_number(*description.time) << "\"/>\n";
  xml << "      <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\""
      << slowest_first(volume.points) << "\"/>\n";
  write_geometry(xml, volume);
  for (const auto& field : description.fields)
    write_attribute(xml, description.h5_file, field, "Scalar", shape);
  for (const auto& vector : description.vectors)
    write_attribute(xml, description.h5_file, vector, "Vector", shape + " 3");
  xml << "    </Grid>\n";
}

void check_grid(const XdmfDescription& description) {
  const std::string problem = grid_problem(description.grid);
  TESSERA_CHECK(problem.empty(),
                "XDMF description of '" << description.h5_file << "': " << problem);
}

const char* const kHeader =
    "<?xml version=\"1.0\" ?>\n"
    "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
    "<Xdmf Version=\"2.0\">\n"
    "  <Domain>\n";
const char* const kFooter =
    "  </Domain>\n"
    "</Xdmf>\n";

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
  check_grid(description);
  std::ostringstream xml;
  xml << kHeader;
  write_grid(xml, description);
  xml << kFooter;
  return xml.str();
}

std::string xdmf_collection_text(const std::vector<XdmfDescription>& steps) {
  std::ostringstream xml;
  xml << kHeader
      << "    <Grid Name=\"time series\" GridType=\"Collection\" "
         "CollectionType=\"Temporal\">\n";
  for (const auto& step : steps) {
    check_grid(step);
    TESSERA_CHECK(step.time.has_value(),
                  "temporal collection: the step '" << step.h5_file << "' has no time");
    std::ostringstream grid;
    write_grid(grid, step);
    // Indented one level deeper, inside the collection.
    std::istringstream lines(grid.str());
    for (std::string line; std::getline(lines, line);) xml << "  " << line << "\n";
  }
  xml << "    </Grid>\n" << kFooter;
  return xml.str();
}

namespace {

// Collective over comm: rank 0 writes text() atomically to path.
template <class Text>
void write_on_root(MPI_Comm comm, const std::string& path, Text&& text) {
  const std::string failure = run_on_root(comm, [&] {
    write_atomically(path, text());
    return std::string();
  });
  TESSERA_CHECK(failure.empty(), "could not write the XDMF file '" << path << "': " << failure);
}

}  // namespace

void write_xdmf(MPI_Comm comm, const std::string& path, const XdmfDescription& description) {
  write_on_root(comm, path, [&] { return xdmf_text(description); });
}

void write_xdmf_collection(MPI_Comm comm, const std::string& path,
                           const std::vector<XdmfDescription>& steps) {
  write_on_root(comm, path, [&] { return xdmf_collection_text(steps); });
}

}  // namespace tessera::io
