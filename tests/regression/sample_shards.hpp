#pragma once
// Comparing the sample sets that data-set runs wrote: the regression tests of resumed, grown and
// rank-count-independent data sets.
#include <mpi.h>

#include <algorithm>

#include "io/field_reader.hpp"

namespace tessera::test {

/// Collective over MPI_COMM_WORLD. Values that differ between two shards of one shape, over all
/// ranks' shards (the size counts as one if the shapes differ).
inline long differing_values(const io::SampleShard& a, const io::SampleShard& b) {
  long differ = a.values.size() == b.values.size() ? 0 : 1;
  for (size_t k = 0; k < std::min(a.values.size(), b.values.size()); ++k)
    differ += a.values[k] != b.values[k];
  MPI_Allreduce(MPI_IN_PLACE, &differ, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  return differ;
}

/// Collective over MPI_COMM_WORLD. The same for the sample sets "samples" of two files.
inline long differing_values(const io::FieldFileReader& a, const io::FieldFileReader& b) {
  return differing_values(a.read_sample_shard("samples"), b.read_sample_shard("samples"));
}

}  // namespace tessera::test
