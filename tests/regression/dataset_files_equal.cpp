// dataset_files_equal A B: for the fault-injection tests of run: dataset, whether the data set B
// (resumed after a stop or a kill) equals A (written uninterrupted): every value of the sample
// set "samples" bit for bit and, where both are comparisons of reuse strategies (which record
// their passes), every column of the per-solve table "solves" but the times, and the total
// iterations of each strategy. Prints what it compared; "CHECK FAILED: ..." and exit status 1 for
// the first difference, 2 if a file cannot be read.
#include <mpi.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/field_reader.hpp"

namespace {

using tessera::io::FieldFileReader;

int fail(const std::string& what) {
  std::printf("CHECK FAILED: %s\n", what.c_str());
  return 1;
}

int compare(const FieldFileReader& a, const FieldFileReader& b) {
  const auto sa = a.read_sample_shard("samples"), sb = b.read_sample_shard("samples");
  if (sa.values.size() != sb.values.size() || sa.fields != sb.fields)
    return fail("the sample sets differ in shape or fields");
  for (std::size_t k = 0; k < sa.values.size(); ++k)
    if (sa.values[k] != sb.values[k])
      return fail("sample value " + std::to_string(k) + " differs: " +
                  std::to_string(sa.values[k]) + " vs " + std::to_string(sb.values[k]));
  std::printf("samples equal: %zu values bit for bit\n", sa.values.size());
  // A single strategy's resumed file holds the solves of its own run only.
  if (!a.has_attribute("passes_complete") || !b.has_attribute("passes_complete")) return 0;
  const auto ta = a.read_table("solves"), tb = b.read_table("solves");
  if (ta.columns != tb.columns || ta.rows() != tb.rows())
    return fail("the solves tables differ in columns or rows (" + std::to_string(ta.rows()) +
                " vs " + std::to_string(tb.rows()) + ")");
  for (std::size_t row = 0; row < ta.rows(); ++row)
    for (std::size_t c = 0; c < ta.columns.size(); ++c)
      if (ta.columns[c] != "seconds" && ta.at(row, c) != tb.at(row, c))
        return fail("solves row " + std::to_string(row) + ", " + ta.columns[c] + ": " +
                    std::to_string(ta.at(row, c)) + " vs " + std::to_string(tb.at(row, c)));
  std::printf("solves equal but for the times: %zu rows\n", ta.rows());
  if (a.string_attribute("strategies") != b.string_attribute("strategies"))
    return fail("the strategies differ");
  std::string names = a.string_attribute("strategies") + ",";
  for (std::size_t at = 0, comma; (comma = names.find(',', at)) != std::string::npos;
       at = comma + 1) {
    const std::string key = "total_iterations_" + names.substr(at, comma - at);
    if (a.integer_attribute(key) != b.integer_attribute(key)) return fail(key + " differs");
    std::printf("%s = %lld in both\n", key.c_str(), a.integer_attribute(key));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int status = 2;
  if (argc == 3) {
    try {
      const FieldFileReader a(MPI_COMM_WORLD, argv[1], "uninterrupted data set");
      const FieldFileReader b(MPI_COMM_WORLD, argv[2], "resumed data set");
      status = compare(a, b);
    } catch (const tessera::Error& e) {
      std::printf("CHECK FAILED: %s\n", e.what());
    }
  } else {
    std::fprintf(stderr, "usage: dataset_files_equal A B\n");
  }
  MPI_Finalize();
  return status;
}
