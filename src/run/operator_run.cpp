#include "run/operator_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <sstream>
#include <variant>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/options.hpp"
#include "core/profiling.hpp"
#include "core/random.hpp"
#include "core/stop_request.hpp"
#include "core/timer.hpp"
#include "core/version.hpp"
#include "io/field_file.hpp"
#include "io/field_reader.hpp"
#include "io/hdf5.hpp"
#include "io/output_directory.hpp"
#include "io/recorded_options.hpp"
#include "io/restart.hpp"
#include "nn/deeponet_operator.hpp"
#include "nn/operator_training.hpp"
#include "run/les_cases.hpp"
#include "run/les_rollout.hpp"

namespace tessera::run {

namespace {

using OptionList = io::RecordedOptions;

std::string counts_text(const std::vector<int>& counts) {
  std::string text;
  for (const int c : counts) text += (text.empty() ? "" : "x") + std::to_string(c);
  return text;
}

const char* scheme_name(nn::OperatorScheme scheme) {
  switch (scheme) {
    case nn::OperatorScheme::Rollout:
      return "rollout";
    case nn::OperatorScheme::SpaceTime:
      return "space_time";
    default:
      return "direct";
  }
}

// The names one brace group {a,b,c} in name stands for, in order (name itself without one);
// empty for a malformed group.
std::vector<std::string> brace_alternatives(const std::string& name) {
  const size_t open = name.find('{'), close = name.find('}');
  if (open == std::string::npos && close == std::string::npos) return {name};
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> names;
  std::stringstream in(name.substr(open + 1, close - open - 1));
  std::string alternative;
  while (std::getline(in, alternative, '|'))
    names.push_back(name.substr(0, open) + alternative + name.substr(close + 1));
  if (name.find_first_of("{}", close + 1) != std::string::npos || names.size() < 2) return {};
  return names;
}

// The fields a list names: items separated by commas, each a field name or a range
// 'stem<first>..stem<last>' (the same stem, first <= last), expanded in order; a stem may hold
// one group {a|b|c} of alternatives, expanded innermost: velocity_{x|y|z}_1..velocity_{x|y|z}_2
// is velocity_x_1, velocity_y_1, velocity_z_1, velocity_x_2, ... (the frames of the LES data
// set). Empty on a malformed list (the caller reports it).
std::vector<std::string> expand_fields(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream in(list);
  std::string item;
  auto split_number = [](const std::string& name, std::string& stem, long& number) {
    const size_t digits = name.find_last_not_of("0123456789") + 1;
    if (digits == name.size() || name.size() - digits > 9) return false;
    stem = name.substr(0, digits);
    number = std::stol(name.substr(digits));
    return true;
  };
  auto add = [&](const std::string& name) {
    const auto alternatives = brace_alternatives(name);
    names.insert(names.end(), alternatives.begin(), alternatives.end());
    return !alternatives.empty();
  };
  while (std::getline(in, item, ',')) {
    const size_t dots = item.find("..");
    if (item.empty()) return {};
    if (dots == std::string::npos) {
      if (!add(item)) return {};
      continue;
    }
    std::string stem_first, stem_last;
    long first = 0, last = 0;
    if (!split_number(item.substr(0, dots), stem_first, first) ||
        !split_number(item.substr(dots + 2), stem_last, last) || stem_first != stem_last ||
        first > last)
      return {};
    for (long i = first; i <= last; ++i)
      if (!add(stem_first + std::to_string(i))) return {};
  }
  return names;
}

// What a checkpoint must share with the run that reads it: the model (any run), and, for a
// training restart, the data, its split and the schedule of batches.
OptionList model_options(const OperatorRunConfig& c) {
  if (c.model == "deeponet") {
    OptionList options{{"operator_model", c.model}};
    for (const auto& option : c.deeponet.recorded()) options.push_back(option);
    options.push_back({"operator_input", c.input_name});
    options.push_back({"operator_output", c.output_name});
    return options;
  }
  OptionList options{
      {"operator_model",
       std::string(c.shape.factorization == nn::Factorization::Dense ? "fno" : "tfno")},
      {"operator_factorization", std::string(nn::to_string(c.shape.factorization))},
      {"operator_rank", c.shape.rank},
      {"operator_width", static_cast<long long>(c.shape.width)},
      {"operator_layers", static_cast<long long>(c.shape.layers)},
      {"operator_modes", counts_text(c.shape.modes)},
      {"operator_padding", counts_text(c.shape.padding)},
      {"operator_projection_width", static_cast<long long>(c.shape.projection_width)},
      {"operator_grid_coordinates", static_cast<long long>(c.shape.grid_coordinates)},
      {"operator_scheme", std::string(scheme_name(c.scheme))},
      {"operator_input", c.input_name}};
  // The rollout's outputs only say how many steps it takes: a checkpoint evaluates any number
  // (training_options records them for a restart).
  if (c.scheme != nn::OperatorScheme::Rollout)
    options.push_back({"operator_output", c.output_name});
  // The windows of frames: recorded where they are not one record a step, so that the
  // checkpoints written before the options existed still restart and evaluate.
  if (c.window_frames != 1 || c.frame_fields != 1 || c.increments) {
    options.push_back({"operator_window_frames", static_cast<long long>(c.window_frames)});
    options.push_back({"operator_frame_fields", static_cast<long long>(c.frame_fields)});
    options.push_back({"operator_increments", static_cast<long long>(c.increments)});
  }
  return options;
}

OptionList training_options(const OperatorRunConfig& c, const std::vector<int>& grid) {
  OptionList options{{"grid", counts_text(grid)},  // the grid it trained on (-operator_subsample)
                     {"operator_train", static_cast<long long>(c.train)},
                     {"operator_validation", static_cast<long long>(c.validation)},
                     {"operator_split_seed", static_cast<long long>(c.split_seed)},
                     {"operator_shuffle_seed", static_cast<long long>(c.shuffle_seed)},
                     {"operator_batch_size", static_cast<long long>(c.batch)}};
  // A single-precision training continues in single precision; recorded only then, so that the
  // double checkpoints written before the option existed still restart.
  if (c.single_precision) options.push_back({"operator_precision", std::string("single")});
  if (c.scheme == nn::OperatorScheme::Rollout)
    options.push_back({"operator_output", c.output_name});
  // The loss: recorded where it is not the relative L2 alone, as above.
  if (c.les_physics || c.data_weight != 1) {
    options.push_back({"operator_physics", std::string(c.les_physics ? "les" : "none")});
    options.push_back({"operator_physics_weight", c.physics_weight});
    options.push_back({"operator_data_weight", c.data_weight});
    options.push_back({"operator_divergence_weight", c.divergence_weight});
  }
  if (c.train_starts != 1)
    options.push_back({"operator_train_starts", static_cast<long long>(c.train_starts)});
  if (c.unlabelled != 0)
    options.push_back({"operator_unlabelled", static_cast<long long>(c.unlabelled)});
  // Recorded where there is a filter, as above; an evaluation may choose its own.
  if (c.filter_order != 0)
    options.push_back({"operator_filter_order", static_cast<long long>(c.filter_order)});
  return options;
}

// Collective. InputError naming the first option the checkpoint records otherwise.
void require_same(const io::FieldFileReader& file, const OptionList& options,
                  const std::string& why) {
  const auto d = io::first_difference(file, options);
  if (!d) return;
  if (d.missing)
    throw InputError("checkpoint '" + file.path() + "' does not record -" + d.name, __FILE__,
                     __LINE__);
  const bool grid = d.name == "grid";  // what -operator_subsample chose from the data set
  throw InputError("checkpoint '" + file.path() + "': " + (grid ? "the grid" : "-" + d.name) +
                       " is " + io::option_text(d.here) + " in this run but " +
                       io::option_text(d.stored) + " in the checkpoint" +
                       (grid ? " (-operator_subsample)" : "") + "; " + why,
                   __FILE__, __LINE__);
}

std::vector<long> split_permutation(long samples, int seed) {
  std::vector<long> order(static_cast<size_t>(samples));
  std::iota(order.begin(), order.end(), 0L);
  if (seed == 0) return order;
  std::uint64_t state = splitmix64(static_cast<std::uint64_t>(seed));
  for (long i = samples - 1; i > 0; --i)
    std::swap(order[size_t(i)], order[size_t(long(uniform_unit(state) * double(i + 1)))]);
  return order;
}

// Flat index in the whole grid (C order) of local point t of block.
long global_index(long t, const std::vector<int>& grid, const nn::GridBlock& block) {
  long rest = t, index = 0, stride = 1;
  for (int d = int(grid.size()) - 1; d >= 0; --d) {
    const long l = rest % block.extent[size_t(d)];
    rest /= block.extent[size_t(d)];
    index += (block.offset[size_t(d)] + l) * stride;
    stride *= grid[size_t(d)];
  }
  return index;
}

// Collective over comm. The whole grid of a field of which the ranks with `contributes` hold
// disjoint blocks covering it once: each adds its block into zeros, one allreduce.
std::vector<double> whole_grid(const std::vector<double>& local, const std::vector<int>& grid,
                               const nn::GridBlock& block, bool contributes, MPI_Comm comm) {
  std::vector<double> whole(static_cast<size_t>(nn::product(grid)), 0.0);
  if (contributes)
    for (size_t t = 0; t < local.size(); ++t)
      whole[size_t(global_index(long(t), grid, block))] = local[t];
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, whole.data(), int(whole.size()), MPI_DOUBLE, MPI_SUM, comm));
  return whole;
}

// The value of a whole-grid field of `from` points at the points of block of grid `to`, both
// spanning [0, 1]^d: the field itself where the grids agree, else multilinear interpolation.
std::vector<double> on_block(const std::vector<double>& whole, const std::vector<int>& from,
                             const std::vector<int>& to, const nn::GridBlock& block) {
  long local = 1;
  for (const int e : block.extent) local *= e;
  std::vector<double> values(static_cast<size_t>(local));
  const int dims = int(to.size());
  for (long t = 0; t < local; ++t) {
    if (from == to) {
      values[size_t(t)] = whole[size_t(global_index(t, to, block))];
      continue;
    }
    // Position of the point per dimension, as a fractional index of `from`.
    std::vector<int> lo(static_cast<size_t>(dims));
    std::vector<double> w(static_cast<size_t>(dims));
    long rest = t;
    for (int d = dims - 1; d >= 0; --d) {
      const long i = block.offset[size_t(d)] + rest % block.extent[size_t(d)];
      rest /= block.extent[size_t(d)];
      const double s =
          to[size_t(d)] > 1 ? double(i) * (from[size_t(d)] - 1) / (to[size_t(d)] - 1) : 0.0;
      lo[size_t(d)] = std::min(int(s), std::max(from[size_t(d)] - 2, 0));
      w[size_t(d)] = s - lo[size_t(d)];
    }
    double v = 0;
    for (int corner = 0; corner < (1 << dims); ++corner) {
      double weight = 1;
      long index = 0;
      for (int d = 0; d < dims; ++d) {
        const int up = (corner >> d) & 1;
        weight *= up ? w[size_t(d)] : 1.0 - w[size_t(d)];
        index = index * from[size_t(d)] + std::min(lo[size_t(d)] + up, from[size_t(d)] - 1);
      }
      v += weight * whole[size_t(index)];
    }
    values[size_t(t)] = v;
  }
  return values;
}

// The first test sample's LES rollout beside the LES, for ParaView (collective over comm, every
// rank of the run): per window end k (k = 0 the input frame) the snapshot
// <directory>/<name>_rollout_<kkkk>.h5 of the vectors velocity (the prediction), les_velocity and
// velocity_error (their difference) on the LES's cell centres (spacing length/n, origin half a
// cell) at t = t0 + k dt, written over a decomposition of all ranks, and the temporal collection
// <name>_rollout.xmf of them. The ranks with `holds` hold the sample's blocks: input [3][points],
// predictions and truth [frames][3][points]; the others pass empty vectors.
void write_rollout_snapshots(const OutputConfig& output, MPI_Comm comm,
                             const std::vector<int>& grid, const nn::GridBlock& block, bool holds,
                             const std::vector<double>& input,
                             const std::vector<double>& prediction,
                             const std::vector<double>& truth, int frames, double t0, double dt,
                             double length) {
  ProfilingRegion stage(Stage::Output);
  const long points = holds ? long(input.size()) / 3 : 0;
  const Decomposition all(comm, 3, {grid[2], grid[1], grid[0]});
  const nn::GridBlock all_block = nn::grid_block(all);
  // Component c of frame f (the input frame f = 0) of v on all's block.
  auto component = [&](const std::vector<double>* v, int f, int c) {
    std::vector<double> local;
    if (holds) {
      const double* first =
          f == 0 ? input.data() + c * points : v->data() + (long(f - 1) * 3 + c) * points;
      local.assign(first, first + points);
    }
    return on_block(whole_grid(local, grid, block, holds, comm), grid, grid, all_block);
  };
  const double h = length / grid[2];
  std::vector<io::XdmfDescription> steps;
  for (int f = 0; f <= frames; ++f) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "_rollout_%04d", f);
    io::FieldFile file(comm, io::result_path(output.directory, output.name + suffix));
    file.set_grid(io::uniform_grid(all, {0.5 * h, 0.5 * h, 0.5 * h}, {h, h, h}));
    file.set_time(t0 + f * dt);
    std::array<std::vector<double>, 3> predicted, les, error;
    for (int c = 0; c < 3; ++c) {
      predicted[size_t(c)] = component(&prediction, f, c);
      les[size_t(c)] = component(&truth, f, c);
      error[size_t(c)] = predicted[size_t(c)];
      for (size_t q = 0; q < error[size_t(c)].size(); ++q) error[size_t(c)][q] -= les[size_t(c)][q];
    }
    auto pointers = [](const std::array<std::vector<double>, 3>& v) {
      return std::vector<const double*>{v[0].data(), v[1].data(), v[2].data()};
    };
    file.write_vector_field("velocity", all, pointers(predicted), io::kNondimensional);
    file.write_vector_field("les_velocity", all, pointers(les), io::kNondimensional);
    file.write_vector_field("velocity_error", all, pointers(error), io::kNondimensional);
    steps.push_back(file.xdmf_description());
    file.commit();
  }
  io::write_xdmf_collection(comm, output.directory + "/" + output.name + "_rollout.xmf", steps);
}

/// Samples of this rank: their input and output fields on its block, [count][fields][points].
struct LocalSamples {
  long count = 0;
  std::vector<double> x, y;
};

// Collective over the reader's communicator. Reads the samples ids (file indices) of this rank on
// its block of the strided view: one hyperslab per sample, as many collective reads as the
// busiest rank needs (the others select nothing).
LocalSamples read_samples(const io::FieldFileReader& reader, const std::string& name,
                          const std::vector<long>& ids, const Decomposition& space, int stride,
                          const std::vector<int>& inputs, const std::vector<int>& outputs,
                          MPI_Comm comm, const std::vector<int>& shifts = {}) {
  LocalSamples s;
  s.count = long(ids.size());
  long reads = s.count;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &reads, 1, MPI_LONG, MPI_MAX, comm));
  io::SampleSelection selection = io::sample_selection(1, 0, 1, space, stride);
  for (long k = 0; k < reads; ++k) {
    selection.first = k < s.count ? ids[size_t(k)] : 0;
    selection.count = k < s.count ? 1 : 0;
    const io::SampleShard shard = reader.read_sample_block(name, selection);
    if (k >= s.count) continue;
    const int shift = shifts.empty() ? 0 : shifts[size_t(k)];
    for (const int f : inputs) {
      const double* in = shard.field(0, size_t(f + shift));
      s.x.insert(s.x.end(), in, in + shard.points());
    }
    for (const int f : outputs) {
      const double* out = shard.field(0, size_t(f + shift));
      s.y.insert(s.y.end(), out, out + shard.points());
    }
  }
  return s;
}

nn::SampleBlock to_device(const LocalSamples& s) {
  nn::SampleBlock block;
  block.count = int(s.count);
  block.x = nn::Vector("tessera::run::operator_x", s.x.size());
  block.y = nn::Vector("tessera::run::operator_y", s.y.size());
  Kokkos::View<const double*, Kokkos::HostSpace> hx(s.x.data(), s.x.size()),
      hy(s.y.data(), s.y.size());
  Kokkos::deep_copy(block.x, hx);
  Kokkos::deep_copy(block.y, hy);
  return block;
}

std::vector<double> to_host(const nn::Vector& v) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

void copy_into(const nn::Vector& v, const std::vector<double>& values) {
  Kokkos::View<const double*, Kokkos::HostSpace> h(values.data(), values.size());
  Kokkos::deep_copy(v, h);
}

std::vector<double> read_column(const io::FieldFileReader& reader, const std::string& name,
                                long expected) {
  const io::Table table = reader.read_table(name);
  if (long(table.values.size()) != expected)
    throw InputError("checkpoint '" + reader.path() + "': table " + name + " holds " +
                         std::to_string(table.values.size()) + " values, not " +
                         std::to_string(expected),
                     __FILE__, __LINE__);
  reader.require_finite("table " + name, table.values);
  return table.values;
}

const std::vector<std::string>& history_columns() {
  static const std::vector<std::string> c{"epoch",       "learning_rate",    "train_loss",
                                          "train_error", "validation_error", "seconds"};
  return c;
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (const double x : v) sum += x;
  return v.empty() ? 0.0 : sum / double(v.size());
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The padding of a network trained on the data grid `trained` (padded by `padding`, one count per
// network dimension) for the data grid `grid` of the same domain. The Fourier layers' weights
// belong to the modes of the PADDED grid, whose period along a padded dimension is (n + padding) h:
// the same number of padding points on a finer grid would shorten that period, and mode k would
// be another physical frequency. With h = 1 / (n - 1) (grid points include both ends, as the
// Darcy data) the period is kept to within half a point. An unpadded dimension is periodic, its
// period the grid's at any resolution, and stays unpadded; space_time's leading time axis (the
// output records) is never refined.
std::vector<int> zero_shot_padding(const std::vector<int>& trained, const std::vector<int>& grid,
                                   const std::vector<int>& padding, bool space_time) {
  std::vector<int> scaled = padding;
  const size_t first = space_time ? 1 : 0;
  for (size_t d = first; d < padding.size(); ++d) {
    if (padding[d] == 0) continue;
    const double n = trained[d - first], fine = grid[d - first];
    const double period = (n + padding[d]) / std::max(n - 1, 1.0);  // in domain lengths
    scaled[d] = std::max(0, int(std::lround(period * (fine - 1) - fine)));
  }
  return scaled;
}

}  // namespace

OperatorRunConfig OperatorRunConfig::from_options(Options& options) {
  OperatorRunConfig c;
  c.evaluate = options.choice("operator_mode", "train", {"train", "evaluate"},
                              "train a network, or evaluate a checkpoint's best network on the "
                              "test split") == "evaluate";
  c.model = options.choice("operator_model", "fno", {"fno", "tfno", "deeponet"},
                           "FNO (dense spectral weights), TFNO (factorised) or DeepONet "
                           "(-deeponet_* options)");
  const std::string& model = c.model;
  c.deeponet = DeepOnetRunConfig::from_options(options);
  c.shape.width = options.integer("operator_width", 32, 1, 4096, "channels of the Fourier layers");
  c.shape.layers = options.integer("operator_layers", 4, 1, 64, "Fourier layers");
  c.modes = options.integers("operator_modes", "12", 1, 4096,
                             "Fourier modes kept per dimension: one value for every dimension or "
                             "one per dimension (12 or 12,16, slowest dimension first)");
  c.padding = options.integers(
      "operator_padding", "9", 0, 1024,
      "zero points appended at the end of each dimension after the lifting: one value for every "
      "dimension or one per dimension, slowest first (space_time: time first, 6,0,0 pads time "
      "only); a dimension split over the space ranks is padded on its last rank");
  c.shape.projection_width =
      options.integer("operator_projection_width", 128, 1, 4096, "width of the projection");
  c.shape.grid_coordinates = options.flag("operator_grid_coordinates", true,
                                          "append the grid coordinates to the input channels");
  const std::string factorization =
      options.choice("operator_factorization", "tucker", {"cp", "tucker"},
                     "tfno: factorisation of the spectral weights");
  const double rank = options.real("operator_rank", 0.1, 1e-6, 1.0,
                                   "tfno: rank as a fraction of the dense spectral parameters");
  c.shape.init = nn::spectral_init_from_name(options.choice(
      "operator_spectral_init", "paper", {"paper", "neuraloperator"},
      "fno, tfno: the spectral weights' initial draw: paper (the FNO code's, re and im uniform in "
      "[0, 1/(width^2))) or neuraloperator (its SpectralConv's, complex normal with mean square "
      "1/width, i.e. 2/(in + out)); a TFNO draws its factors so that the weight they rebuild has "
      "that mean "
      "square"));
  if (model == "tfno") {
    c.shape.factorization =
        factorization == "cp" ? nn::Factorization::Cp : nn::Factorization::Tucker;
    c.shape.rank = rank;
  }
  c.dataset = options.input_file("operator_dataset", "",
                                 "sample-set file written by run: dataset (required)");
  if (c.dataset.empty()) options.report("-operator_dataset: no sample-set file given");
  c.dataset_name =
      options.text("operator_dataset_name", c.dataset_name, "the sample set's dataset in the file");
  const std::string scheme =
      options.choice("operator_scheme", "direct", {"direct", "rollout", "space_time"},
                     "how the network maps the input to the output records: direct (channels), "
                     "rollout (FNO-2D, one record a step) or space_time (FNO-3D over the output "
                     "records)");
  c.scheme = scheme == "rollout"      ? nn::OperatorScheme::Rollout
             : scheme == "space_time" ? nn::OperatorScheme::SpaceTime
                                      : nn::OperatorScheme::Direct;
  if (model == "deeponet" && c.scheme != nn::OperatorScheme::Direct)
    options.report("-operator_scheme " + scheme +
                   " needs an FNO: DeepONet maps the input records directly (-operator_scheme "
                   "direct)");
  c.window_frames = options.integer(
      "operator_window_frames", c.window_frames, 1, 1000,
      "rollout: frames each step predicts (the last one at the next record; the others between)");
  c.frame_fields = options.integer(
      "operator_frame_fields", c.frame_fields, 1, 1000,
      "rollout: fields (consecutive records) per frame, e.g. 3 for the LES velocity");
  c.increments = options.flag(
      "operator_increments", c.increments,
      "rollout: the network predicts each frame's change from the step's input frame (added to "
      "it) rather than the frame");
  c.les_physics =
      options.choice("operator_physics", "none", {"none", "les"},
                     "rollout: a physics term in the loss: none, or les (the LES residual of "
                     "every step's window of frames; an LES data set)") == "les";
  c.physics_weight = options.real("operator_physics_weight", c.physics_weight, 0.0, 1e12,
                                  "weight of the physics term per sample");
  c.data_weight = options.real("operator_data_weight", c.data_weight, 0.0, 1e12,
                               "weight of the relative-L2 data term (0: physics only)");
  c.divergence_weight =
      options.real("operator_divergence_weight", c.divergence_weight, 0.0, 1e12,
                   "les physics: weight of the mean square divergence in the residual's loss");
  c.train_starts = options.integer(
      "operator_train_starts", c.train_starts, 1, 100000,
      "rollout: windows per training sample, starting at this many records spread evenly from "
      "the input's to the last one the outputs allow (1: the input's alone)");
  c.unlabelled = options.integer(
      "operator_unlabelled", c.unlabelled, 0, 100000000,
      "-operator_physics les: the last this many training samples train through the physics "
      "term alone, their labels left out of the loss (the few-labels hybrid)");
  c.filter_order =
      options.integer("operator_filter_order", c.filter_order, 0, 64,
                      "rollout: order p of the exponential filter exp(-36 (|k|/(n/3))^p) applied "
                      "to the input frame and each step's predicted frames (0: none)");
  if (c.scheme != nn::OperatorScheme::Rollout &&
      (c.window_frames != 1 || c.frame_fields != 1 || c.les_physics || c.increments ||
       c.filter_order != 0 || c.train_starts != 1))
    options.report(
        "-operator_window_frames, -operator_frame_fields, -operator_increments, "
        "-operator_train_starts, -operator_filter_order and -operator_physics need "
        "-operator_scheme rollout");
  if (c.les_physics && c.frame_fields != 3)
    options.report(
        "-operator_physics les: the frames are the LES velocity, -operator_frame_fields "
        "3, not " +
        std::to_string(c.frame_fields));
  if (c.unlabelled > 0 && !c.les_physics)
    options.report("-operator_unlabelled " + std::to_string(c.unlabelled) +
                   ": samples without labels train through the physics term alone; give "
                   "-operator_physics les");
  if (!c.les_physics && c.data_weight == 0)
    options.report("-operator_data_weight 0 leaves nothing to train without -operator_physics");
  c.input_name = options.text("operator_input", c.input_name,
                              "the input fields: a name, or a comma-separated list of names and "
                              "ranges such as omega_t1..omega_t10; a group {x|y|z} in a name "
                              "stands for its alternatives (velocity_{x|y|z}_0)");
  c.output_name = options.text("operator_output", c.output_name,
                               "the output fields (records), in the syntax of -operator_input");
  c.inputs = expand_fields(c.input_name);
  c.outputs = expand_fields(c.output_name);
  if (c.inputs.empty())
    options.report("-operator_input = '" + c.input_name +
                   "' is not a comma-separated list of field names and ranges stem<i>..stem<j>");
  if (c.outputs.empty())
    options.report("-operator_output = '" + c.output_name +
                   "' is not a comma-separated list of field names and ranges stem<i>..stem<j>");
  c.subsample =
      options.integer("operator_subsample", 1, 1, 1024,
                      "r: train and evaluate on every r-th stored point (from the first)");
  c.train = options.integer("operator_train", c.train, 0, 100000000,
                            "training samples (an evaluation's test split starts after them)");
  c.validation = options.integer("operator_validation", c.validation, 0, 100000000,
                                 "validation samples (0: the last epoch's network is the best)");
  c.test = options.integer("operator_test", c.test, 0, 100000000, "test samples");
  c.split_seed = options.integer("operator_split_seed", c.split_seed, 0, 2000000000,
                                 "seed of the shuffle that splits the file's samples (0: file "
                                 "order)");
  c.shuffle_seed = options.integer("operator_shuffle_seed", c.shuffle_seed, 0, 2000000000,
                                   "seed of the per-epoch batch shuffle");
  c.seed = options.integer("operator_seed", c.seed, 0, 2000000000,
                           "seed of the network's initial parameters");
  c.epochs = options.integer("operator_epochs", c.epochs, 1, 100000000, "training epochs");
  c.batch = options.integer("operator_batch_size", c.batch, 1, 100000, "samples per batch");
  c.learning_rate =
      options.real("operator_learning_rate", c.learning_rate, 1e-8, 1.0, "Adam's initial rate");
  c.weight_decay = options.real("operator_weight_decay", c.weight_decay, 0.0, 1.0,
                                "L2 weight decay added to the gradient (torch Adam)");
  c.lr_step_every = options.integer("operator_lr_step_every", c.lr_step_every, 1, 100000000,
                                    "epochs between learning-rate steps");
  c.lr_step_factor = options.real("operator_lr_step_factor", c.lr_step_factor, 1e-6, 1.0,
                                  "factor of each learning-rate step");
  c.space_ranks = options.integer("operator_space_ranks", c.space_ranks, 1, 1 << 20,
                                  "S: ranks per space group (domain parallel); the P / S groups "
                                  "share the samples (data parallel)");
  c.single_precision =
      options.choice("operator_precision", "double", {"double", "single"},
                     "fno, tfno: what the network computes in: double, or single (float; the "
                     "trainer keeps double master parameters, Adam's state and checkpoints)") ==
      "single";
  if (model == "deeponet" && c.single_precision)
    options.report("-operator_precision single: DeepONet computes in double only");
  if (model == "deeponet" && c.space_ranks > 1)
    options.report("-operator_space_ranks = " + std::to_string(c.space_ranks) +
                   ": DeepONet holds the whole grid on every rank (its branch reads sensors over "
                   "all of it); split the samples instead (-operator_space_ranks 1)");
  c.checkpoint_every =
      options.integer("operator_checkpoint_every", c.checkpoint_every, 0, 100000000,
                      "epochs between checkpoints (0: only at the end)");
  c.stop_after = options.integer("operator_stop_after", 0, 0, 100000000,
                                 "stop after this epoch with a checkpoint (0: never; for tests)");
  c.progress_every = options.integer("operator_progress_every", 1, 1, 100000000,
                                     "a progress line every this many epochs");
  c.progress_seconds = options.real("operator_progress_seconds", c.progress_seconds, 0.0, 1e9,
                                    "within a long epoch, a line of the batches done at most "
                                    "this often (0: none)");
  c.restart = options.input_file("operator_restart", "",
                                 "checkpoint to continue training from; latest: the newest "
                                 "readable one this run keeps, if there is one",
                                 {io::kLatestCheckpoint});
  c.checkpoint = options.input_file("operator_checkpoint", "",
                                    "evaluate: the checkpoint whose best network is evaluated");
  c.les_reference = options.input_file(
      "operator_les_reference", "",
      "an LES rollout: a kinetic-energy history (t, E_k, -dE/dt, enstrophy; the Taylor-Green "
      "DNS input/reference/tgv_re1600_spectral_dns.dat) the report compares E_k with");
  if (c.evaluate && c.checkpoint.empty())
    options.report("-operator_mode evaluate needs -operator_checkpoint");
  // A file named for the other mode would be ignored without a word.
  if (!c.evaluate && !c.checkpoint.empty())
    options.report(
        "-operator_checkpoint is read by -operator_mode evaluate only; training goes "
        "on from a checkpoint with -operator_restart");
  if (c.evaluate && !c.restart.empty())
    options.report(
        "-operator_restart continues a training; -operator_mode evaluate reads "
        "-operator_checkpoint");
  if (c.unlabelled > c.train)
    options.report("-operator_unlabelled = " + std::to_string(c.unlabelled) + " exceeds " +
                   "-operator_train = " + std::to_string(c.train));
  if (!c.evaluate && c.train < 2)
    options.report("-operator_train = " + std::to_string(c.train) +
                   ": the normaliser needs at least 2 training samples");
  // Both modes end by writing the test split's predictions and errors: refuse an empty split here
  // rather than after the training.
  if (c.test < 1)
    options.report("-operator_test = " + std::to_string(c.test) +
                   ": the result file holds the test split's predictions; give at least 1");
  c.output = OutputConfig::from_options(options, "operator");
  return c;
}

namespace {

// -operator_physics les: the LES residual of the data set's flow, from what the LES data set
// records; InputError naming what does not fit (not an LES data set, a subsampled or non-cubic
// grid, the dynamic model). Collective over the reader's communicator.
physics::LesResidualConfig les_residual_config(const io::FieldFileReader& file,
                                               const OperatorRunConfig& config,
                                               const std::vector<hsize_t>& shape) {
  auto refuse = [&](const std::string& why) {
    throw InputError("-operator_physics les: " + why, __FILE__, __LINE__);
  };
  if (!file.has_attribute("dataset_problem") || file.string_attribute("dataset_problem") != "les")
    refuse("'" + config.dataset + "' is not an LES data set (run: dataset, -dataset_problem les)");
  const BoxCells cells = les_box_cells(file);
  if (shape.size() != 5 || long(shape[2]) != cells[2] || long(shape[3]) != cells[1] ||
      long(shape[4]) != cells[0] || config.subsample != 1)
    refuse("the residual is evaluated on the LES's own grid: -operator_subsample 1");
  const std::string model = file.string_attribute("les_subgrid_model");
  if (model == "dynamic")
    refuse("'" + config.dataset +
           "' was made with the dynamic model; the residual's closure is Smagorinsky with a "
           "constant");
  physics::LesResidualConfig c;
  c.cells = cells;
  c.length = file.real_attribute("les_length");
  c.viscosity = file.real_attribute("les_viscosity");
  c.smagorinsky_constant = model == "none" ? 0.0 : file.real_attribute("les_smagorinsky_constant");
  c.dt = file.real_attribute("les_record_interval") / config.window_frames;
  c.divergence_weight = config.divergence_weight;
  return c;
}

}  // namespace

OperatorRun::OperatorRun(MPI_Comm comm, const OperatorRunConfig& config)
    : config_(config), comm_(comm) {
  int rank = 0, size = 1;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  TESSERA_MPI_CALL(MPI_Comm_size(comm, &size));
  const int s = config.space_ranks;
  if (size % s != 0)
    throw InputError("-operator_space_ranks = " + std::to_string(s) + " does not divide the " +
                         std::to_string(size) + " ranks",
                     __FILE__, __LINE__);
  groups_ = size / s;
  group_ = rank / s;
  // Training always ends with a checkpoint: it must not replace one it does not continue from.
  if (!config.evaluate)
    config_.restart = io::resolve_restart(comm, "operator_restart", config.restart,
                                          config.output.checkpoint_path(), config.output.overwrite);
  if (!config.evaluate && groups_ > config.batch)
    throw InputError("-operator_batch_size = " + std::to_string(config.batch) + " is below the " +
                         std::to_string(groups_) + " sample groups (ranks / -operator_space_ranks)",
                     __FILE__, __LINE__);

  // The data set's metadata (every rank reads the same).
  physics::LesResidualConfig les_physics;
  {
    const io::FieldFileReader reader(comm, config.dataset, "-operator_dataset");
    if (!reader.has_dataset(config.dataset_name))
      throw InputError("-operator_dataset '" + config.dataset + "' has no sample set '" +
                           config.dataset_name + "' (-operator_dataset_name)",
                       __FILE__, __LINE__);
    const auto shape = reader.dataset_shape(config.dataset_name);
    if (shape.size() != 4 && shape.size() != 5)
      throw InputError("-operator_dataset '" + config.dataset + "': '" + config.dataset_name +
                           "' of shape " + io::shape_text(shape) +
                           " is not a 2D or 3D sample set [samples][fields][grid]",
                       __FILE__, __LINE__);
    io::SampleSelection none;
    none.count = 0;
    const io::SampleShard meta = reader.read_sample_block(config.dataset_name, none);
    auto field_indices = [&](const std::vector<std::string>& names, const std::string& list,
                             const char* option) {
      std::vector<int> indices;
      for (const auto& field : names) {
        const auto at = std::find(meta.fields.begin(), meta.fields.end(), field);
        if (at == meta.fields.end()) {
          const size_t n = meta.fields.size();
          std::string held;
          for (size_t f = 0; f < n; ++f)
            if (n <= 8 || f < 3 || f + 1 == n)
              held +=
                  (held.empty() ? "" : (n > 8 && f + 1 == n ? ", ..., " : ", ")) + meta.fields[f];
          throw InputError(std::string("-") + option + " = '" + list + "'" +
                               (list != field ? " names '" + field + "', which" : "") +
                               " is not a field of '" + config.dataset + "' (it holds " + held +
                               ")",
                           __FILE__, __LINE__);
        }
        indices.push_back(int(at - meta.fields.begin()));
      }
      return indices;
    };
    input_fields_ = field_indices(config.inputs, config.input_name, "operator_input");
    output_fields_ = field_indices(config.outputs, config.output_name, "operator_output");
    if (config.scheme == nn::OperatorScheme::SpaceTime && shape.size() != 4)
      throw InputError(std::string("-operator_scheme ") + scheme_name(config.scheme) +
                           " needs a 2D sample set; '" + config.dataset + "' is 3D",
                       __FILE__, __LINE__);
    if (config.les_physics) les_physics = les_residual_config(reader, config, shape);
    if (reader.has_attribute("dataset_problem") &&
        reader.string_attribute("dataset_problem") == "les") {
      les_length_ = reader.real_attribute("les_length");
      les_record_interval_ = reader.real_attribute("les_record_interval");
    }
    if (config.scheme == nn::OperatorScheme::Rollout) {
      const int fields = config.frame_fields;
      if (int(input_fields_.size()) % fields != 0 || int(output_fields_.size()) % fields != 0)
        throw InputError("-operator_frame_fields " + std::to_string(fields) +
                             ": -operator_input '" + config.input_name +
                             "' and -operator_output '" + config.output_name +
                             "' must name whole frames (" + std::to_string(input_fields_.size()) +
                             " and " + std::to_string(output_fields_.size()) + " fields)",
                         __FILE__, __LINE__);
      // The window slides over the file's records: inputs consecutive, outputs right after.
      const int first = input_fields_.front(), window = int(input_fields_.size());
      const int steps = int(output_fields_.size());
      bool consecutive = first + window + steps <= int(meta.fields.size());
      for (int i = 0; consecutive && i < window + steps; ++i)
        consecutive = (i < window ? input_fields_[size_t(i)]
                                  : output_fields_[size_t(i - window)]) == first + i;
      if (!consecutive)
        throw InputError("-operator_scheme rollout: -operator_input = '" + config.input_name +
                             "' must be consecutive records of '" + config.dataset +
                             "' and -operator_output = '" + config.output_name +
                             "' the records right after them (one per step), in the file's order",
                         __FILE__, __LINE__);
    }
    // The training windows' start records: -operator_train_starts spread evenly over the
    // records from the input's to the last whose outputs the file still holds. An evaluation
    // trains nothing (the deck's count does not limit its rollout's length).
    train_shifts_ = {0};
    if (!config.evaluate && config.scheme == nn::OperatorScheme::Rollout &&
        config.train_starts > 1) {
      const int fields = config.frame_fields;
      const int first = input_fields_.front() / fields, last = int(meta.fields.size()) / fields -
                                                               int(output_fields_.size()) / fields -
                                                               int(input_fields_.size()) / fields;
      const int span = last - first;
      if (span < config.train_starts - 1)
        throw InputError("-operator_train_starts " + std::to_string(config.train_starts) + ": '" +
                             config.dataset + "' holds windows from " + std::to_string(span + 1) +
                             " start record(s) after -operator_input '" + config.input_name +
                             "' for -operator_output '" + config.output_name + "'",
                         __FILE__, __LINE__);
      train_shifts_.clear();
      for (int j = 0; j < config.train_starts; ++j)
        train_shifts_.push_back(fields *
                                int(std::lround(double(j) * span / (config.train_starts - 1))));
    }
    if (!config.les_reference.empty()) {
      if (les_record_interval_ == 0 || config.scheme != nn::OperatorScheme::Rollout ||
          config.frame_fields != 3)
        throw InputError("-operator_les_reference '" + config.les_reference +
                             "' compares an LES rollout (-operator_scheme rollout, "
                             "-operator_frame_fields 3 on an LES data set) with a history",
                         __FILE__, __LINE__);
      les_reference_ = read_dissipation_reference(config.les_reference);
      const double first = les_input_time(),
                   last = first + les_record_interval_ * double(output_fields_.size() / 3);
      if (first < les_reference_->time.front() || last > les_reference_->time.back())
        throw InputError("-operator_les_reference '" + config.les_reference +
                             "' covers t = " + format("%g", les_reference_->time.front()) + " to " +
                             format("%g", les_reference_->time.back()) + ", not the rollout's " +
                             format("%g", first) + " to " + format("%g", last),
                         __FILE__, __LINE__);
    }
    file_samples_ = long(shape[0]);
    for (size_t d = 2; d < shape.size(); ++d)
      grid_.push_back(int(io::strided_points(shape[d], config.subsample)));
  }
  const long wanted =
      (config.evaluate ? 0L : long(config.train) + config.validation) +
      (config.evaluate ? long(config.train) + config.validation + config.test : config.test);
  if (wanted > file_samples_)
    throw InputError("-operator_train + -operator_validation + -operator_test = " +
                         std::to_string(long(config.train) + config.validation + config.test) +
                         " exceed the " + std::to_string(file_samples_) + " samples of '" +
                         config.dataset + "'",
                     __FILE__, __LINE__);

  // The model on this grid: modes per dimension under the Nyquist limit of the padded grid (the
  // SpectralConv rule: 2 m <= n, the last dimension m <= n / 2 + 1).
  const int records = int(config.outputs.size());
  net_grid_ = grid_;
  if (config.scheme == nn::OperatorScheme::SpaceTime) net_grid_.insert(net_grid_.begin(), records);
  const int dims = int(net_grid_.size());
  config_.shape.dims = dims;
  // -operator_modes and -operator_padding: one value for every dimension or one per dimension.
  auto per_dimension = [&](std::vector<int>& values, const std::string& option) {
    if (values.size() == 1) values.assign(size_t(dims), values.front());
    if (int(values.size()) != dims)
      throw InputError("-" + option + " gives " + std::to_string(values.size()) + " values for a " +
                           std::to_string(dims) + "D network grid " + counts_text(net_grid_) +
                           (config.scheme == nn::OperatorScheme::SpaceTime
                                ? " (space_time: the output records, then the data's grid)"
                                : "") +
                           "; give one value for every dimension or one per dimension",
                       __FILE__, __LINE__);
  };
  per_dimension(config_.modes, "operator_modes");
  per_dimension(config_.padding, "operator_padding");
  config_.shape.modes = config_.modes;
  config_.shape.padding = config_.padding;
  auto check_nyquist = [&](const std::vector<int>& grid, const std::string& what) {
    for (int d = 0; d < dims; ++d) {
      const int n = grid[size_t(d)] + config_.padding[size_t(d)], m = config_.modes[size_t(d)];
      const bool fits = d == dims - 1 ? m <= n / 2 + 1 : 2 * m <= n;
      if (!fits)
        throw InputError("-operator_modes: " + std::to_string(m) + " modes along dimension " +
                             std::to_string(d) + " are above the Nyquist limit of " + what +
                             " grid " + counts_text(grid) + " padded by " +
                             counts_text(config_.padding) + " (" + std::to_string(n) +
                             " points: at most " +
                             std::to_string(d == dims - 1 ? n / 2 + 1 : n / 2) + ")",
                         __FILE__, __LINE__);
    }
  };
  if (config_.model == "deeponet")
    config_.deeponet.check_grid(grid_);
  else
    check_nyquist(net_grid_, config.scheme == nn::OperatorScheme::SpaceTime
                                 ? "the (subsampled) data's records x"
                                 : "the (subsampled) data");

  // A checkpoint to continue from or to evaluate: the same model; for a restart, the same grid,
  // split and batches.
  const std::string checkpoint = config.evaluate ? config.checkpoint : config_.restart;
  trained_grid_ = grid_;
  trained_padding_ = config_.shape.padding;
  if (!checkpoint.empty()) {
    const io::FieldFileReader reader(
        comm, checkpoint, config.evaluate ? "-operator_checkpoint" : "-operator_restart");
    io::require_run_kind(
        checkpoint, reader.has_attribute("run_kind") ? reader.string_attribute("run_kind") : "",
        "operator");
    require_same(reader, model_options(config_), "the model must be the one it holds");
    if (config.evaluate) {
      const std::string grid = reader.string_attribute("grid");
      trained_grid_.clear();
      std::stringstream in(grid);
      std::string item;
      while (std::getline(in, item, 'x')) trained_grid_.push_back(std::stoi(item));
      if (trained_grid_.size() != grid_.size())
        throw InputError("-operator_checkpoint '" + checkpoint + "' was trained on a " + grid +
                             " grid; the data set is " + std::to_string(grid_.size()) + "D",
                         __FILE__, __LINE__);
      // DeepONet's sensors are points of the training grid: no zero-shot change of grid.
      if (config_.model == "deeponet" && trained_grid_ != grid_)
        throw InputError("-operator_checkpoint '" + checkpoint + "': DeepONet was trained on " +
                             grid + " and reads its sensors there; this data is " +
                             counts_text(grid_) + " (-operator_subsample)",
                         __FILE__, __LINE__);
      if (trained_grid_ != grid_)
        config_.shape.padding = zero_shot_padding(trained_grid_, grid_, trained_padding_,
                                                  config.scheme == nn::OperatorScheme::SpaceTime);
    } else {
      require_same(reader, training_options(config_, grid_),
                   "a restart continues the same training");
    }
  }

  // samples x space: ranks [g S, (g + 1) S) are group g.
  TESSERA_MPI_CALL(MPI_Comm_split(comm, group_, rank, &space_));
  TESSERA_MPI_CALL(MPI_Comm_split(comm, rank % s, rank, &samples_));
  // The space ranks split the data's grid; the space-time network's block adds the whole time
  // axis.
  const int data_dims = int(grid_.size());
  std::array<int, 3> points{1, 1, 1};
  for (int d = 0; d < data_dims; ++d) points[size_t(d)] = grid_[size_t(data_dims - 1 - d)];
  space_decomposition_ = std::make_unique<Decomposition>(space_, data_dims, points);
  nn::GridBlock block = nn::grid_block(*space_decomposition_);
  if (config.scheme == nn::OperatorScheme::SpaceTime) {
    block.offset.insert(block.offset.begin(), 0);
    block.extent.insert(block.extent.begin(), records);
  }
  config_.shape.in_channels = int(config.inputs.size());
  config_.shape.out_channels = config.scheme == nn::OperatorScheme::Direct ? records
                               : config.scheme == nn::OperatorScheme::Rollout
                                   ? config.window_frames * config.frame_fields
                                   : 1;
  if (config_.model == "deeponet")
    net_ = std::make_unique<nn::DeepOnetOperator>(config_.deeponet.shape, config_.shape.in_channels,
                                                  config_.shape.out_channels, grid_,
                                                  config_.deeponet.sensor_stride);
  else if (config_.single_precision)
    net_ = std::make_unique<nn::FnoSingleOperator>(config_.shape, net_grid_, block,
                                                   space_decomposition_->comm());
  else
    net_ = std::make_unique<nn::FnoOperator>(config_.shape, net_grid_, block,
                                             space_decomposition_->comm());
  if (config.les_physics)
    physics_ = std::make_unique<physics::LesResidual>(
        les_physics, nn::grid_block(*space_decomposition_), config.window_frames + 1,
        space_decomposition_->comm());
  if (config.filter_order > 0)
    filter_ =
        std::make_unique<nn::SpectralFilter>(grid_, nn::grid_block(*space_decomposition_),
                                             config.filter_order, space_decomposition_->comm());
}

OperatorRun::~OperatorRun() {
  filter_.reset();
  physics_.reset();
  net_.reset();
  space_decomposition_.reset();
  if (space_ != MPI_COMM_NULL) MPI_Comm_free(&space_);
  if (samples_ != MPI_COMM_NULL) MPI_Comm_free(&samples_);
}

void OperatorRun::prepare_output() {
  output_lock_ = io::prepare_output_directory(comm_, config_.output.directory, config_.output.name,
                                              config_.output.overwrite);
}

double OperatorRun::les_input_time() const {
  // The LES data set's fields are velocity_<c>_<record>.
  const std::string& first = config_.inputs.front();
  return les_record_interval_ * std::stod(first.substr(first.find_last_not_of("0123456789") + 1));
}

OperatorSummary OperatorRun::execute(const std::string& options_text) {
  Timer wall;
  OperatorSummary summary;
  const auto& c = config_;
  nn::OperatorModel& net = *net_;
  const Decomposition& space = *space_decomposition_;
  const nn::GridBlock block = nn::grid_block(space);
  const long points = space.local_size();  // of the data's grid
  const long inputs = long(c.inputs.size()), records = long(c.outputs.size());
  const bool rollout = c.scheme == nn::OperatorScheme::Rollout;
  TESSERA_LOG("Tessera " << version << ": operator " << (c.evaluate ? "evaluation" : "training")
                         << ", " << net.summary() << "\n  data '" << c.dataset << "' ("
                         << file_samples_ << " samples, " << c.input_name << " -> " << c.output_name
                         << ", " << scheme_name(c.scheme) << ": " << inputs << " input and "
                         << records << " output record(s)) on " << counts_text(grid_) << " (every "
                         << c.subsample << " stored point(s)); " << groups_ << " sample group(s) x "
                         << c.space_ranks << " space rank(s)");

  // The split, the same on every rank; each group's share of it.
  const auto order = split_permutation(file_samples_, c.split_seed);
  auto ids_of = [&](long first, long count) {
    return std::vector<long>(order.begin() + first, order.begin() + first + count);
  };
  const long test_first = long(c.train) + c.validation;
  auto shard_of = [&](long first, long count) {
    const auto [f, n] = io::shard_range(count, group_, groups_);
    return ids_of(first + f, n);
  };
  const io::FieldFileReader reader(comm_, c.dataset, "-operator_dataset");
  const std::string checkpoint_path = c.output.checkpoint_path();
  const std::string checkpoint = c.evaluate ? c.checkpoint : c.restart;
  std::unique_ptr<io::FieldFileReader> saved;
  if (!checkpoint.empty())
    saved = std::make_unique<io::FieldFileReader>(comm_, checkpoint, "checkpoint");

  // Normalisers: fitted on the training split, or the checkpoint's (interpolated onto another
  // grid for zero-shot super-resolution).
  nn::PointwiseNormalizer in_norm, out_norm;
  LocalSamples train;
  // The training list: each training sample's windows from its -operator_train_starts start
  // records (position p: sample p / starts, start p % starts).
  const long starts = long(train_shifts_.size()), train_items = long(c.train) * starts;
  nn::LaneSchedule lanes(std::max(train_items, 1L), std::max(c.batch, groups_), group_, groups_,
                         std::uint64_t(c.shuffle_seed));
  if (!c.evaluate) {
    std::vector<long> ids;
    std::vector<int> shifts;
    for (const long position : lanes.held()) {
      ids.push_back(order[size_t(position / starts)]);
      shifts.push_back(train_shifts_[size_t(position % starts)]);
    }
    train = read_samples(reader, c.dataset_name, ids, space, c.subsample, input_fields_,
                         output_fields_, comm_, shifts);
  }
  // The normaliser table's columns: mean and std of every input, then every output field.
  std::vector<std::string> normalizer_columns;
  for (const auto* fields : {&c.inputs, &c.outputs})
    for (const auto& f : *fields)
      normalizer_columns.insert(normalizer_columns.end(), {f + "_mean", f + "_std"});
  if (rollout) {
    // The rollout's network sees the data as it is (fourier_2d_time.py has no normaliser).
  } else if (saved) {
    const long whole = nn::product(trained_grid_);
    const io::Table table = saved->read_table("normalizer");
    if (long(table.rows()) != whole || table.columns.size() != normalizer_columns.size())
      throw InputError(
          "checkpoint '" + checkpoint + "': normalizer of " + std::to_string(table.rows()) +
              " points x " + std::to_string(table.columns.size()) + " columns, not " +
              std::to_string(whole) + " x " + std::to_string(normalizer_columns.size()),
          __FILE__, __LINE__);
    saved->require_finite("table normalizer", table.values);
    for (size_t k = 0; k < table.columns.size(); ++k) {
      std::vector<double> column;
      for (size_t r = 0; r < table.rows(); ++r) column.push_back(table.at(r, k));
      const auto values = on_block(column, trained_grid_, grid_, block);
      nn::PointwiseNormalizer& n = k < 2 * size_t(inputs) ? in_norm : out_norm;
      auto& to = k % 2 ? n.std : n.mean;
      to.insert(to.end(), values.begin(), values.end());
    }
  } else {
    in_norm =
        nn::PointwiseNormalizer::fit(train.x, train.count, inputs * points, c.train, samples_);
    out_norm =
        nn::PointwiseNormalizer::fit(train.y, train.count, records * points, c.train, samples_);
  }
  if (trained_grid_ != grid_)
    TESSERA_LOG("  zero-shot super-resolution: trained on "
                << counts_text(trained_grid_) << ", evaluated on " << counts_text(grid_)
                << " (normaliser interpolated, padding " << counts_text(trained_padding_) << " -> "
                << counts_text(config_.shape.padding) << " points: the same padded length)");
  auto load = [&](const std::vector<long>& ids) {
    LocalSamples s = read_samples(reader, c.dataset_name, ids, space, c.subsample, input_fields_,
                                  output_fields_, comm_);
    in_norm.encode(s.x);
    return to_device(s);
  };
  in_norm.encode(train.x);
  nn::SampleBlock train_data = to_device(train);
  // The few-labels hybrid: the training split's last -operator_unlabelled samples without labels.
  if (c.unlabelled > 0)
    for (const long position : lanes.held())
      train_data.labelled.push_back(position / starts < long(c.train - c.unlabelled));
  const nn::SampleBlock validation =
      c.evaluate ? nn::SampleBlock() : load(shard_of(c.train, c.validation));
  const std::vector<long> test_ids = shard_of(test_first, c.test);
  const nn::SampleBlock test = load(test_ids);

  nn::OperatorTrainingConfig tc;
  tc.scheme = c.scheme;
  tc.records = int(records);
  tc.window_frames = c.window_frames;
  tc.frame_fields = c.frame_fields;
  tc.increments = c.increments;
  tc.data_weight = c.data_weight;
  tc.physics = physics_.get();
  tc.physics_weight = c.physics_weight;
  tc.filter = filter_.get();
  tc.batch = c.batch;
  tc.adam.learning_rate = c.learning_rate;
  tc.adam.weight_decay = c.weight_decay;
  tc.schedule.decay = nn::LearningRateDecay::Step;
  tc.schedule.initial = c.learning_rate;
  tc.schedule.step_every = c.lr_step_every;
  tc.schedule.step_factor = c.lr_step_factor;
  nn::OperatorTrainer trainer(net, samples_, out_norm, tc);
  const long count = net.parameter_count();
  nn::Vector best("tessera::run::operator_best", count);
  int first_epoch = 0, best_epoch = 0;
  double best_error = 1e300;
  const int last_epoch = c.stop_after > 0 ? std::min(c.epochs, c.stop_after) : c.epochs;
  // A checkpoint written between batches: the part of epoch first_epoch done, and its seconds.
  nn::EpochResult resumed;
  double resumed_seconds = 0;
  std::vector<double> history;  // rows of history_columns()
  // Collective over the world. The mean relative L2 error of the validation split at the
  // network's parameters, the same on every rank.
  auto validation_error = [&] {
    double sum = 0;
    for (const double e : trainer.evaluate(validation)) sum += e;
    // Each group's ranks hold the same sum: add over the samples communicator.
    TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, samples_));
    return sum / c.validation;
  };
  if (saved) {
    copy_into(best, read_column(*saved, "best_parameters", count));
    if (!c.evaluate) {
      copy_into(net.parameters(), read_column(*saved, "parameters", count));
      nn::Vector m("m", count), v("v", count);
      copy_into(m, read_column(*saved, "adam_first_moment", count));
      copy_into(v, read_column(*saved, "adam_second_moment", count));
      trainer.adam().restore(m, v, saved->integer_attribute("adam_steps"));
      first_epoch = int(saved->integer_attribute("epoch"));
      best_epoch = int(saved->integer_attribute("best_epoch"));
      best_error = saved->real_attribute("best_validation_error");
      history = saved->read_table("history").values;
      // The summary covers the whole training, the epochs before the restart too.
      const size_t columns = history_columns().size();
      for (size_t row = 0; row * columns < history.size(); ++row) {
        summary.train_loss.push_back(history[row * columns + 2]);
        summary.train_error.push_back(history[row * columns + 3]);
        summary.validation_error.push_back(history[row * columns + 4]);
      }
      // Checkpoints before batch stops have no batches_done: they were written at epoch ends.
      if (saved->has_attribute("batches_done")) {
        resumed.batches = long(saved->integer_attribute("batches_done"));
        resumed.loss_sum = saved->real_attribute("epoch_loss_sum");
        // Checkpoints from before the physics term: the loss was the relative L2 alone.
        resumed.error_sum = saved->has_attribute("epoch_error_sum")
                                ? saved->real_attribute("epoch_error_sum")
                                : resumed.loss_sum;
        resumed.physics_sum = saved->has_attribute("epoch_physics_sum")
                                  ? saved->real_attribute("epoch_physics_sum")
                                  : 0.0;
        resumed.squared_gradients = saved->real_attribute("epoch_squared_gradients");
        resumed_seconds = saved->real_attribute("epoch_seconds");
      }
      // The batch size is the checkpoint's (training_options), so is the batch count.
      if (resumed.batches < 0 || resumed.batches >= lanes.batches())
        throw InputError(
            "checkpoint '" + checkpoint + "': batches_done = " + std::to_string(resumed.batches) +
                " is not below the " + std::to_string(lanes.batches()) + " batches of an epoch",
            __FILE__, __LINE__);
      if (first_epoch > c.epochs || (resumed.batches > 0 && first_epoch >= last_epoch))
        throw InputError(
            "-operator_restart '" + checkpoint + "' is " +
                (resumed.batches > 0 ? "within epoch " + std::to_string(first_epoch + 1)
                                     : "at epoch " + std::to_string(first_epoch)) +
                (last_epoch < c.epochs && resumed.batches > 0
                     ? ", beyond -operator_stop_after = " + std::to_string(c.stop_after)
                     : ", beyond -operator_epochs = " + std::to_string(c.epochs)),
            __FILE__, __LINE__);
      // The last history row's validation error is that of the parameters saved with it: a
      // restart must reproduce it (one evaluation of the split). Without a validation split
      // nothing recorded belongs to the saved parameters alone (the training loss is the mean
      // over the epoch's steps), and a checkpoint within an epoch holds parameters later than
      // the last row's: neither is checked.
      if (c.validation > 0 && !history.empty() && resumed.batches == 0)
        io::require_reproduced(checkpoint, "the validation error",
                               history[history.size() - columns + 4], validation_error(),
                               "its parameters were altered, or this run's validation split is "
                               "not the one that wrote it; train afresh");
      TESSERA_LOG("  restart from " << checkpoint << " after epoch " << first_epoch);
      if (resumed.batches > 0)
        TESSERA_LOG("  epoch " << first_epoch + 1 << " continues at batch " << resumed.batches + 1
                               << " of " << lanes.batches());
    }
    saved.reset();
  } else {
    net.initialize(std::uint64_t(c.seed));
  }

  // The checkpoint: everything replicated (parameters, moments) from rank 0's tables; the
  // normaliser's whole grid from group 0's blocks. epoch: the epochs done; part: the batches done
  // of the next one (none at an epoch end), their sums over all groups and their seconds.
  auto write_checkpoint = [&](int epoch, const nn::EpochResult& part, double part_seconds) {
    io::FieldFile file(comm_, checkpoint_path);
    if (!rollout) {
      // Column k: field k / 2's mean (k even) or std, of the inputs, then the outputs.
      std::vector<std::vector<double>> whole;
      for (const nn::PointwiseNormalizer* n : {&in_norm, &out_norm})
        for (size_t f = 0; f * points < n->mean.size(); ++f)
          for (const auto* v : {&n->mean, &n->std}) {
            const std::vector<double> local(v->begin() + long(f) * points,
                                            v->begin() + long(f + 1) * points);
            whole.push_back(whole_grid(local, grid_, block, group_ == 0, comm_));
          }
      std::vector<double> rows;
      for (size_t p = 0; p < whole.front().size(); ++p)
        for (const auto& column : whole) rows.push_back(column[p]);
      file.write_table("normalizer", normalizer_columns, rows);
    }
    file.write_table("parameters", {"value"}, to_host(net.parameters()));
    file.write_table("adam_first_moment", {"value"}, to_host(trainer.adam().first_moment()));
    file.write_table("adam_second_moment", {"value"}, to_host(trainer.adam().second_moment()));
    file.write_table("best_parameters", {"value"}, to_host(best));
    file.write_table("history", history_columns(), history);
    file.set_attribute("run_kind", "operator");
    file.set_attribute("epoch", epoch);
    file.set_attribute("batches_done", part.batches);
    file.set_attribute("epoch_loss_sum", part.loss_sum);
    file.set_attribute("epoch_error_sum", part.error_sum);
    file.set_attribute("epoch_physics_sum", part.physics_sum);
    file.set_attribute("epoch_squared_gradients", part.squared_gradients);
    file.set_attribute("epoch_seconds", part_seconds);
    file.set_attribute("adam_steps", trainer.adam().steps());
    file.set_attribute("best_epoch", best_epoch);
    file.set_attribute("best_validation_error", best_error);
    file.set_attribute("operator_seed", c.seed);
    io::record_options(file, model_options(c));
    io::record_options(file, training_options(c, grid_));
    file.commit_checkpoint(c.output.checkpoints_kept);
  };

  if (!c.evaluate) {
    Timer training;
    for (int epoch = first_epoch; epoch < last_epoch; ++epoch) {
      Timer timer;
      // The seconds of the epoch so far, rank 0's on every rank (as the history's).
      const double before = epoch == first_epoch ? resumed_seconds : 0.0;
      auto epoch_seconds = [&] {
        double seconds = before + timer.seconds();
        TESSERA_MPI_CALL(MPI_Bcast(&seconds, 1, MPI_DOUBLE, 0, comm_));
        return seconds;
      };
      // Between batches: a progress line within a long epoch (rank 0's group's loss so far, no
      // collective), and a stop or a wall-clock checkpoint: an epoch may outlast the time between
      // SLURM's signal and the job's end (input/README.md).
      double next_line = c.progress_seconds;
      auto between_batches = [&](const nn::EpochResult& group_sums) {
        const double elapsed = timer.seconds();
        if (c.progress_seconds > 0 && elapsed >= next_line) {
          next_line = elapsed + c.progress_seconds;
          // Batches this run trains (a restart's epoch continues after its batches done).
          const long in_run = long(lanes.batches()) * (last_epoch - first_epoch) - resumed.batches,
                     done = long(lanes.batches()) * (epoch - first_epoch) + group_sums.batches -
                            resumed.batches;
          const double per_batch = training.seconds() / double(std::max(done, 1L));
          TESSERA_LOG("  epoch " << epoch + 1 << "/" << c.epochs << ", batch " << group_sums.batches
                                 << "/" << lanes.batches() << ": loss "
                                 << format("%.6e", group_sums.loss_sum / double(group_sums.batches))
                                 << " (this group's batches so far), "
                                 << progress_text(double(done) / double(in_run),
                                                  per_batch * double(in_run - done)));
        }
        const SafePoint point = poll_safe_point(comm_);
        if (!point.stop && !point.checkpoint) return;
        const nn::EpochResult part = trainer.over_groups(epoch, group_sums);
        write_checkpoint(epoch, part, epoch_seconds());
        if (point.stop)
          throw Stopped("epoch " + std::to_string(epoch + 1) + " after batch " +
                            std::to_string(part.batches) + " of " + std::to_string(lanes.batches()),
                        resume_text(checkpoint_path, "operator_restart"));
      };
      const nn::EpochResult r =
          trainer.train_epoch(epoch, lanes, train_data,
                              epoch == first_epoch ? resumed : nn::EpochResult(), between_batches);
      // The mean relative L2 per term: per sample, or per sample and step (the rollout's).
      const double loss = r.loss_sum / double(r.batches),
                   error = r.error_sum / (double(train_items) * nn::loss_terms(tc));
      const double val = c.validation > 0 ? validation_error() : 0.0;
      if (c.validation == 0 || val < best_error) {
        best_error = c.validation > 0 ? val : error;
        best_epoch = epoch + 1;
        Kokkos::deep_copy(best, net.parameters());
      }
      const double seconds = epoch_seconds();
      history.insert(history.end(),
                     {double(epoch + 1), tc.schedule.at(epoch), loss, error, val, seconds});
      summary.train_loss.push_back(loss);
      summary.train_error.push_back(error);
      summary.validation_error.push_back(val);
      const int done = epoch + 1 - first_epoch;
      const double per_epoch = training.seconds() / done;
      if ((epoch + 1) % c.progress_every == 0 || epoch + 1 == last_epoch) {
        char line[240];
        std::snprintf(
            line, sizeof line,
            "  epoch %4d/%d: loss %.6e%s, train rel L2 %.6e, val rel L2 %s, lr %.2e, "
            "%.2f s/epoch, %s",
            epoch + 1, c.epochs, loss,
            physics_
                ? (" (physics " + format("%.4e", r.physics_sum / double(r.batches)) + ")").c_str()
                : "",
            error, c.validation > 0 ? format("%.6e", val).c_str() : "-", tc.schedule.at(epoch),
            seconds,
            progress_text(double(epoch + 1) / c.epochs, per_epoch * (c.epochs - epoch - 1))
                .c_str());
        TESSERA_LOG(line);
      }
      // The last epoch's checkpoint is written below; a stop signal at its end lets the run finish.
      const SafePoint point = poll_safe_point(comm_);
      const bool due = c.checkpoint_every > 0 && (epoch + 1) % c.checkpoint_every == 0;
      if (epoch + 1 < last_epoch && (due || point.checkpoint || point.stop))
        write_checkpoint(epoch + 1, nn::EpochResult(), 0.0);
      if (epoch + 1 < last_epoch && point.stop)
        throw Stopped("epoch " + std::to_string(epoch + 1),
                      resume_text(checkpoint_path, "operator_restart"));
    }
    write_checkpoint(last_epoch, nn::EpochResult(), 0.0);
    summary.seconds_per_epoch =
        last_epoch > first_epoch ? training.seconds() / (last_epoch - first_epoch) : 0.0;
    if (last_epoch < c.epochs) {
      TESSERA_LOG("  stopped after epoch " << last_epoch << " (-operator_stop_after); checkpoint "
                                           << checkpoint_path);
      return summary;
    }
  }

  // The test split with the best network: errors, predictions, the result file.
  Kokkos::deep_copy(net.parameters(), best);
  std::vector<double> predictions, record_errors;
  Timer evaluation;
  const auto errors = trainer.evaluate(test, &predictions, &record_errors);
  summary.evaluation_seconds = evaluation.seconds();
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, &summary.evaluation_seconds, 1, MPI_DOUBLE, MPI_MAX, comm_));
  {
    // The slowest group's applications: its samples times the steps (1 but for the rollout).
    const long steps = rollout ? nn::loss_terms(tc) : 1;
    const long most = (c.test + groups_ - 1) / groups_;
    summary.seconds_per_application = summary.evaluation_seconds / double(most * steps);
  }
  // Every group's test errors in test order on every rank: each group's first rank adds its own.
  int space_rank = 0;
  TESSERA_MPI_CALL(MPI_Comm_rank(space_, &space_rank));
  const auto [test_offset, test_count] = io::shard_range(c.test, group_, groups_);
  summary.test_errors.assign(size_t(c.test), 0.0);
  std::vector<double> all_record_errors(size_t(c.test * records), 0.0);  // [test][record]
  if (space_rank == 0)
    for (long k = 0; k < test_count; ++k) {
      summary.test_errors[size_t(test_offset + k)] = errors[size_t(k)];
      for (long r = 0; r < records; ++r)
        all_record_errors[size_t((test_offset + k) * records + r)] =
            record_errors[size_t(k * records + r)];
    }
  TESSERA_MPI_CALL(
      MPI_Allreduce(MPI_IN_PLACE, summary.test_errors.data(), c.test, MPI_DOUBLE, MPI_SUM, comm_));
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, all_record_errors.data(),
                                 int(all_record_errors.size()), MPI_DOUBLE, MPI_SUM, comm_));
  summary.test_mean = mean_of(summary.test_errors);
  for (const double e : summary.test_errors) summary.test_max = std::max(summary.test_max, e);
  summary.test_median = median(summary.test_errors);
  summary.record_errors.assign(size_t(records), 0.0);
  for (long k = 0; k < c.test; ++k)
    for (long r = 0; r < records; ++r)
      summary.record_errors[size_t(r)] += all_record_errors[size_t(k * records + r)] / c.test;

  // A rollout of LES frames against the LES: energy, dissipation and spectra.
  std::optional<LesRolloutReport> les_report;
  if (rollout && c.frame_fields == 3 && les_record_interval_ > 0 && grid_.size() == 3) {
    les_report = les_rollout_report(space, samples_, comm_, to_host(test.x), predictions,
                                    to_host(test.y), test_count, c.test, int(records / 3),
                                    les_input_time(), les_record_interval_, les_length_);
    if (les_reference_) les_report->compare_with(*les_reference_);
    TESSERA_LOG(les_report->text());
  }

  summary.output_file = io::result_path(c.output.directory, c.output.name);
  ProfilingRegion stage(Stage::Output);
  io::FieldFile file(comm_, summary.output_file);
  // predictions: [test][the predicted records, then the true ones][grid] ("prediction" and the
  // output's name for one record), each group writing its samples' blocks.
  io::BlockSelection mine = io::block_selection(space);
  std::vector<std::string> prediction_fields;
  for (const auto& f : c.outputs)
    prediction_fields.push_back(records == 1 ? "prediction" : f + "_prediction");
  prediction_fields.insert(prediction_fields.end(), c.outputs.begin(), c.outputs.end());
  file.create_samples("predictions", mine, c.test, prediction_fields);
  std::vector<double> truth = to_host(test.y);
  std::vector<double> empty;
  const long per_sample = records * points;
  for (long k = 0; k < c.test; ++k) {
    const long local = k - test_offset;
    const bool holds = local >= 0 && local < test_count;
    io::BlockSelection sel = mine;
    if (!holds) sel.count = {0, 0, 0};
    std::vector<const double*> blocks;
    for (const auto* v : {&predictions, &truth})
      for (long r = 0; r < records; ++r)
        blocks.push_back(holds ? v->data() + local * per_sample + r * points : empty.data());
    file.write_sample("predictions", sel, k, blocks);
  }
  std::vector<double> rows;
  for (long k = 0; k < c.test; ++k)
    rows.insert(rows.end(),
                {double(order[size_t(test_first + k)]), summary.test_errors[size_t(k)]});
  file.write_table("test_errors", {"sample", "relative_l2"}, rows);
  std::vector<double> record_rows;
  for (long r = 0; r < records; ++r)
    record_rows.insert(record_rows.end(), {double(r), summary.record_errors[size_t(r)]});
  file.write_table("test_record_errors", {"record", "mean_relative_l2"}, record_rows);
  if (!c.evaluate) file.write_table("history", history_columns(), history);
  // The first test sample's last output record as plain fields for ParaView (its group's blocks
  // summed onto the whole grid, one sample: a small allreduce), written over a decomposition of
  // all ranks.
  {
    const bool first_here = test_offset == 0 && test_count > 0;
    const long last = (records - 1) * points;
    std::vector<double> pred0(first_here ? predictions.begin() + last : predictions.end(),
                              first_here ? predictions.begin() + last + points : predictions.end());
    std::vector<double> truth0(first_here ? truth.begin() + last : truth.end(),
                               first_here ? truth.begin() + last + points : truth.end());
    const auto whole_pred = whole_grid(pred0, grid_, block, first_here, comm_);
    const auto whole_truth = whole_grid(truth0, grid_, block, first_here, comm_);
    const int dims = int(grid_.size());
    std::array<int, 3> pts{1, 1, 1};
    for (int d = 0; d < dims; ++d) pts[size_t(d)] = grid_[size_t(dims - 1 - d)];
    const Decomposition all(comm_, dims, pts);
    const nn::GridBlock all_block = nn::grid_block(all);
    const auto p0 = on_block(whole_pred, grid_, grid_, all_block);
    const auto t0 = on_block(whole_truth, grid_, grid_, all_block);
    std::vector<double> e0(p0.size());
    for (size_t i = 0; i < e0.size(); ++i) e0[i] = p0[i] - t0[i];
    file.write_field("test0_prediction", all, p0.data());
    file.write_field("test0_" + c.outputs.back(), all, t0.data());
    file.write_field("test0_error", all, e0.data());
    io::UniformGrid g;
    g.dim = dims;
    for (int d = 0; d < dims; ++d) {
      g.points[size_t(d)] = pts[size_t(d)];
      g.spacing[size_t(d)] = pts[size_t(d)] > 1 ? 1.0 / (pts[size_t(d)] - 1) : 1.0;
    }
    file.set_grid(g);
  }
  file.set_attribute("options", options_text);
  file.set_attribute("model", net.summary());
  file.set_attribute("parameters", count);
  file.set_attribute("grid", counts_text(grid_));
  file.set_attribute("trained_grid", counts_text(trained_grid_));
  file.set_attribute("test_error_mean", summary.test_mean);
  file.set_attribute("test_error_median", summary.test_median);
  file.set_attribute("test_error_max", summary.test_max);
  file.set_attribute("best_epoch", best_epoch);
  file.set_attribute("seconds_per_epoch", summary.seconds_per_epoch);
  file.set_attribute("evaluation_seconds", summary.evaluation_seconds);
  if (les_report) les_report->write(file);
  file.set_attribute("seconds_per_application", summary.seconds_per_application);
  file.set_attribute("wall_seconds", wall.seconds());
  file.commit_with_xdmf();
  if (les_report) {
    const bool first_here = test_offset == 0 && test_count > 0;
    const long frame = 3 * points;
    auto first_sample = [&](const std::vector<double>& v, long per_sample) {
      return first_here ? std::vector<double>(v.begin(), v.begin() + per_sample)
                        : std::vector<double>();
    };
    write_rollout_snapshots(
        c.output, comm_, grid_, block, first_here, first_sample(to_host(test.x), frame),
        first_sample(predictions, records * points), first_sample(truth, records * points),
        int(records / 3), les_input_time(), les_record_interval_, les_length_);
  }

  std::ostringstream text;
  text << "summary:\n";
  if (!summary.train_loss.empty()) {
    text << "  train loss first       " << format("%.6e", summary.train_loss.front()) << "\n"
         << "  train loss last        " << format("%.6e", summary.train_loss.back()) << "\n"
         << "  train loss ratio       "
         << format("%.4f", summary.train_loss.back() / summary.train_loss.front()) << "\n"
         << "  train rel L2 last      " << format("%.6e", summary.train_error.back()) << "\n";
    if (c.validation > 0)
      text << "  best val rel L2        " << format("%.6e", best_error) << " (epoch " << best_epoch
           << ")\n";
    text << "  seconds per epoch      " << format("%.3f", summary.seconds_per_epoch) << "\n";
  }
  if (records > 1)
    text << "  test rel L2 record mean " << format("%.6e", mean_of(summary.record_errors)) << "\n"
         << "  test rel L2 first record " << format("%.6e", summary.record_errors.front()) << " ("
         << c.outputs.front() << ")\n"
         << "  test rel L2 last record " << format("%.6e", summary.record_errors.back()) << " ("
         << c.outputs.back() << ")\n";
  text << "  test rel L2 mean       " << format("%.6e", summary.test_mean)
       << (records > 1 ? " (per sample over all its records)" : "") << "\n"
       << "  test rel L2 median     " << format("%.6e", summary.test_median) << "\n"
       << "  test rel L2 max        " << format("%.6e", summary.test_max) << "\n"
       << "  test evaluation        " << format("%.3f s", summary.evaluation_seconds) << " ("
       << format("%.4f s", summary.seconds_per_application)
       << (rollout ? " per sample and step" : " per sample") << ")\n"
       << "  wall time              " << format("%.1f s", wall.seconds()) << "\n"
       << "  output                 " << summary.output_file << " (+ .xmf)";
  if (les_report)
    text << "\n  rollout snapshots      "
         << io::result_path(c.output.directory, c.output.name + "_rollout_*") << " ("
         << records / 3 + 1 << ", the first test sample; "
         << c.output.directory + "/" + c.output.name + "_rollout.xmf for ParaView)";
  if (!c.evaluate) text << "\n  checkpoint             " << checkpoint_path;
  TESSERA_LOG(text.str());
  return summary;
}

}  // namespace tessera::run
