// FNO training-step figures (nn::Fno through nn::OperatorTrainer: forward, decoded relative-L2
// loss, backward, Adam step), printed and not asserted. Three modes:
//
//   bench_fno train [key=value ...]    one rank: FNO-2D (64^2, width 32, 12 modes, 4 layers,
//                                      batch 10, 1 input + 2 grid channels, padding 0) and FNO-3D
//                                      (FNO3d's width 20, modes 8, 10 input + 3 grid channels,
//                                      32^3); seconds per sample and where the time goes
//   mpirun -n P bench_fno domain [...] the Fourier layers split over P ranks: the split run against
//                                      every rank alone on the full grid (gradient and output),
//                                      weak scaling (64^2 per rank) against every rank running its
//                                      own 64^2 at the same time, and the bytes each layer reduces
//                                      at 64^2, 128^2, 256^2 (counted at MPI_Allreduce)
//   mpirun -n P bench_fno memory [...] one sample per step: per-rank peak of the Kokkos
//                                      allocations and of the resident set at growing grids, the
//                                      largest grid that fits a per-rank budget, then a step there
//
// Keys (defaults): repeats=5 warmup=2 (train, domain); train: grid2d=64 modes2d=12 batch2d=10
// grid3d=32 (a list: 32,64; empty for none) modes3d=8 batch3d=4 detail=0 (1 lists every region
// and kernel); domain: grid=64 batch=10 (per rank) modes=12 sizes=64,128,256; memory:
// budget_mib=2048 grids=128,256,384 modes=12 verify=1; train: dtypes=float64,float32 (float32:
// nn::FnoSingleOperator, the network in float, Adam on double master parameters). Unknown keys
// stop the run.
//
// Timing: Kokkos::Tools callbacks set here (no external tool) time the profiling regions the
// library pushes only while a tool is loaded (core/profiling.hpp): fno_forward / fno_backward and
// inside them fno_lifting, spectral_forward_dft, spectral_mixing, spectral_inverse_dft (the
// truncated DFTs as GEMMs; in the backward pass the adjoints), fno_pointwise (the W 1x1 GEMMs,
// bias + GELU or its adjoint), fno_projection; kernels (adam_step, fno_bias_gelu, ...) are timed
// by name. Steps are timed whole with a wall clock; the breakdown is the mean over the timed
// steps, the step time the median.
#include <dlfcn.h>
#include <mpi.h>

#include <KokkosBlas1_nrm2.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/environment.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "nn/fno.hpp"
#include "nn/operator_model.hpp"
#include "nn/operator_training.hpp"
#include "nn/spectral_conv.hpp"

namespace {

using namespace tessera;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- bytes through MPI_Allreduce
long g_allreduce_bytes = 0;
bool g_count_allreduce = false;

}  // namespace

// Every MPI_Allreduce of the process passes here (PMPI interposition); counted while switched on.
extern "C" int MPI_Allreduce(const void* send, void* receive, int count, MPI_Datatype type,
                             MPI_Op op, MPI_Comm comm) {
  if (g_count_allreduce) {
    int size = 0;
    PMPI_Type_size(type, &size);
    g_allreduce_bytes += long(count) * size;
  }
  return PMPI_Allreduce(send, receive, count, type, op, comm);
}

namespace {

// ---------------------------------------------------------------- Kokkos::Tools callbacks
struct Profile {
  std::map<std::string, double> seconds;  // inclusive, per region or kernel name
  std::vector<std::pair<std::string, Clock::time_point>> regions;
  std::vector<std::pair<std::string, Clock::time_point>> kernels;  // id = index
  long bytes = 0, peak_bytes = 0;  // Kokkos allocations now and at most since reset()
  void reset() {
    seconds.clear();
    peak_bytes = bytes;
  }
  double get(const std::string& name) const {
    auto it = seconds.find(name);
    return it == seconds.end() ? 0.0 : it->second;
  }
};
Profile g_profile;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

void on_init(const int, const uint64_t, const uint32_t, Kokkos_Profiling_KokkosPDeviceInfo*) {}
void on_push(const char* name) {
  Kokkos::fence();
  g_profile.regions.emplace_back(name, Clock::now());
}
void on_pop() {
  Kokkos::fence();
  auto& top = g_profile.regions.back();
  const double s = since(top.second);
  g_profile.seconds[top.first] += s;
  const std::string name = top.first;
  g_profile.regions.pop_back();
  // GEMMs inside a region are also counted under "<region> > <gemm>".
  if (!g_profile.regions.empty())
    g_profile.seconds[g_profile.regions.back().first + " > " + name] += s;
}
void on_begin_kernel(const char* name, const uint32_t, uint64_t* id) {
  *id = g_profile.kernels.size();
  g_profile.kernels.emplace_back(name, Clock::now());
}
void on_end_kernel(const uint64_t id) {
  Kokkos::fence();
  auto& k = g_profile.kernels[id];
  g_profile.seconds[k.first] += since(k.second);
  if (id + 1 == g_profile.kernels.size()) g_profile.kernels.pop_back();
}
void on_allocate(const Kokkos_Profiling_SpaceHandle, const char*, const void*, const uint64_t n) {
  g_profile.bytes += long(n);
  g_profile.peak_bytes = std::max(g_profile.peak_bytes, g_profile.bytes);
}
void on_deallocate(const Kokkos_Profiling_SpaceHandle, const char*, const void*, const uint64_t n) {
  g_profile.bytes -= long(n);
}

void install_callbacks() {
  namespace X = Kokkos::Tools::Experimental;
  X::set_init_callback(on_init);
  X::set_push_region_callback(on_push);
  X::set_pop_region_callback(on_pop);
  X::set_begin_parallel_for_callback(on_begin_kernel);
  X::set_end_parallel_for_callback(on_end_kernel);
  X::set_begin_parallel_reduce_callback(on_begin_kernel);
  X::set_end_parallel_reduce_callback(on_end_kernel);
  X::set_allocate_data_callback(on_allocate);
  X::set_deallocate_data_callback(on_deallocate);
  TESSERA_CHECK(Kokkos::Profiling::profileLibraryLoaded(),
                "bench_fno: Kokkos does not report the callbacks as a loaded tool");
}

/// Peak resident set of this process so far (VmHWM), bytes.
long resident_high_water() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  return 0;
}

// ---------------------------------------------------------------- BLAS in use
void print_blas() {
  using Name = char* (*)();
  auto corename = reinterpret_cast<Name>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  auto config = reinterpret_cast<Name>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  using Threads = int (*)();
  auto threads = reinterpret_cast<Threads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  Dl_info where{};
  void* dgemm = dlsym(RTLD_DEFAULT, "dgemm_");
  const char* library = dgemm && dladdr(dgemm, &where) && where.dli_fname ? where.dli_fname : "?";
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::ostringstream s;
  s << "blas: dgemm_ from " << library;
  if (corename)
    s << "; OpenBLAS core " << corename() << ", threads " << (threads ? threads() : -1)
      << ", config: " << (config ? config() : "?");
  else
    s << "; not OpenBLAS (no openblas_get_corename)";
  s << "; OPENBLAS_CORETYPE=" << (coretype ? coretype : "(unset)");
  TESSERA_LOG(s.str());
  if (corename) TESSERA_LOG("tessera_blas_core=" << corename());
}

// ---------------------------------------------------------------- options
struct Options {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> used;
  Options(int argc, char** argv, int first) {
    for (int a = first; a < argc; ++a) {
      const std::string arg = argv[a];
      const auto eq = arg.find('=');
      TESSERA_CHECK(eq != std::string::npos, "bench_fno: '" << arg << "' is not key=value");
      values[arg.substr(0, eq)] = arg.substr(eq + 1);
    }
  }
  int integer(const std::string& key, int fallback) {
    used[key] = true;
    return values.count(key) ? std::atoi(values[key].c_str()) : fallback;
  }
  std::vector<int> list(const std::string& key, const std::string& fallback) {
    std::vector<int> out;
    for (const auto& item : words(key, fallback)) out.push_back(std::atoi(item.c_str()));
    return out;
  }
  std::vector<std::string> words(const std::string& key, const std::string& fallback) {
    used[key] = true;
    std::stringstream s(values.count(key) ? values[key] : fallback);
    std::vector<std::string> out;
    for (std::string item; std::getline(s, item, ',');)
      if (!item.empty()) out.push_back(item);
    return out;
  }
  void check_all_used() const {
    for (const auto& kv : values)
      TESSERA_CHECK(used.count(kv.first), "bench_fno: unknown key '" << kv.first << "'");
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string grid_text(const std::vector<int>& g) {
  std::ostringstream s;
  for (size_t d = 0; d < g.size(); ++d) s << (d ? "x" : "") << g[d];
  return s.str();
}

/// Random numbers uniform in [-1, 1) from seed on device.
nn::Vector random_device(long n, std::uint64_t seed, const char* label) {
  nn::Vector v(std::string(label), n);
  auto h = Kokkos::create_mirror_view(v);
  std::uint64_t state = splitmix64(seed);
  for (long i = 0; i < n; ++i) h(i) = 2.0 * uniform_unit(state) - 1.0;
  Kokkos::deep_copy(v, h);
  return v;
}

/// One network, its trainer and a batch of synthetic samples on this rank's block: a training
/// step is one epoch of one batch (all samples), as OperatorTrainer::train_epoch runs them.
/// The network of a dtype: the double FnoOperator, or FnoSingleOperator (float32).
std::unique_ptr<nn::OperatorModel> make_network(bool single, const nn::FnoShape& shape,
                                                const std::vector<int>& grid,
                                                const nn::GridBlock& block, MPI_Comm space) {
  if (single) return std::make_unique<nn::FnoSingleOperator>(shape, grid, block, space);
  return std::make_unique<nn::FnoOperator>(shape, grid, block, space);
}

struct Training {
  std::unique_ptr<nn::OperatorModel> network;
  nn::OperatorModel& net;
  nn::OperatorTrainer trainer;
  nn::LaneSchedule lanes;
  nn::SampleBlock data;
  int epoch = 0;
  static nn::PointwiseNormalizer unit(const nn::OperatorModel& net) {
    nn::PointwiseNormalizer n;
    const size_t per = size_t(net.out_channels() * net.local_points());
    n.mean.assign(per, 0.0);
    n.std.assign(per, 1.0);
    return n;
  }
  static nn::OperatorTrainingConfig config(int batch) {
    nn::OperatorTrainingConfig c;
    c.batch = batch;
    c.adam.weight_decay = 1e-4;
    return c;
  }
  Training(const nn::FnoShape& shape, const std::vector<int>& grid, const nn::GridBlock& block,
           MPI_Comm space, int batch, bool single = false)
      : network(make_network(single, shape, grid, block, space)),
        net(*network),
        trainer(net, MPI_COMM_SELF, unit(net), config(batch)),
        lanes(batch, batch, 0, 1, 7) {
    net.initialize(1234);
    data.count = batch;
    data.x = random_device(long(batch) * shape.in_channels * net.local_points(), 11, "bench_x");
    data.y = random_device(long(batch) * shape.out_channels * net.local_points(), 12, "bench_y");
  }
  double step() { return trainer.train_epoch(epoch++, lanes, data).loss_sum; }
};

/// This rank's block when dimension `split` of grid is cut into size slabs (rank r the r-th).
nn::GridBlock slab(const std::vector<int>& grid, int split, int rank, int size) {
  nn::GridBlock b{std::vector<int>(grid.size(), 0), grid};
  const int n = grid[size_t(split)];
  b.offset[size_t(split)] = int(long(rank) * n / size);
  b.extent[size_t(split)] = int(long(rank + 1) * n / size) - b.offset[size_t(split)];
  return b;
}

// ---------------------------------------------------------------- train
/// Every region and kernel timed over the last reset, slowest first (rank 0).
void print_profile(int repeats) {
  std::vector<std::pair<double, std::string>> rows;
  for (const auto& kv : g_profile.seconds) rows.emplace_back(kv.second, kv.first);
  std::sort(rows.rbegin(), rows.rend());
  for (const auto& r : rows) {
    char text[300];
    std::snprintf(text, sizeof text, "    %9.5f s  %s", r.first / repeats, r.second.c_str());
    TESSERA_LOG(text);
  }
}

void time_training(const std::string& name, const nn::FnoShape& shape, const std::vector<int>& grid,
                   int batch, int warmup, int repeats, bool detail, bool single) {
  Training t(shape, grid, nn::GridBlock{std::vector<int>(grid.size(), 0), grid}, MPI_COMM_SELF,
             batch, single);
  const char* dtype = single ? "float32" : "float64";
  TESSERA_LOG(t.net.summary() << "; grid " << grid_text(grid) << ", batch " << batch << ", "
                              << dtype);
  for (int k = 0; k < warmup; ++k) t.step();
  std::vector<double> steps;
  std::map<std::string, double> all;  // every region and kernel, summed over the timed steps
  for (int r = 0; r < repeats; ++r) {
    g_profile.reset();
    const auto start = Clock::now();
    t.step();
    Kokkos::fence();
    steps.push_back(since(start));
    for (const auto& kv : g_profile.seconds) all[kv.first] += kv.second;
  }
  const double med = median(steps);
  char line[400];
  std::snprintf(line, sizeof line,
                "tessera_fno case=%s dtype=%s batch=%d steps=%d seconds_per_step=%.6g "
                "seconds_per_sample=%.6g min_step=%.6g max_step=%.6g",
                name.c_str(), dtype, batch, repeats, med, med / batch,
                *std::min_element(steps.begin(), steps.end()),
                *std::max_element(steps.begin(), steps.end()));
  TESSERA_LOG(line);
  double timed = 0;
  for (double s : steps) timed += s;
  const double n = repeats, total = timed / n;
  auto get = [&](const std::string& key) {
    auto it = all.find("tessera::nn::" + key);
    return it == all.end() ? 0.0 : it->second;
  };
  auto row = [&](const std::string& what, double seconds) {
    char text[200];
    std::snprintf(text, sizeof text, "  %-62s %9.4f s %6.1f%%", what.c_str(), seconds / n,
                  100.0 * seconds / n / total);
    TESSERA_LOG(text);
  };
  // Regions nest one level in the table: "fno_forward > spectral_mixing" is the mixing inside
  // the forward pass; in the backward pass a transform's label stands for its adjoint.
  // Kokkos Kernels 3.4 labels its cuBLAS dgemm "TPL_BLAS" too: the host's BLAS only where the
  // views live on the host.
  const std::string gemm =
      std::string(" > KokkosBlas::gemm[TPL_BLAS,") + (single ? "float" : "double") + "]";
  const std::string routine = single ? "sgemm" : "dgemm";
  const std::string blas =
      Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                 Kokkos::DefaultExecutionSpace::memory_space>::accessible
          ? "OpenBLAS " + routine
          : "vendor BLAS " + routine + " on " + Kokkos::DefaultExecutionSpace::name();
  TESSERA_LOG("  where the time goes (mean of " << repeats << " steps, " << total
                                                << " s per step):");
  const std::pair<const char*, const char*> pass[2] = {{"fno_forward", "forward"},
                                                       {"fno_backward", "backward"}};
  for (const auto& [region, label] : pass) {
    const std::string in = std::string(region) + " > tessera::nn::";
    row(std::string(label) + " pass", get(region));
    row("  lifting (grid coordinates, fc0)", get(in + "fno_lifting"));
    row("  forward DFT to the kept modes (backward: its adjoint)",
        get(in + "spectral_forward_dft"));
    row("  spectral mixing (backward: adjoint, weight gradient)", get(in + "spectral_mixing"));
    row("  inverse DFT to the points (backward: its adjoint)", get(in + "spectral_inverse_dft"));
    row("  W 1x1 GEMMs + bias + GELU (backward: GELU adjoint)", get(in + "fno_pointwise"));
    row("  projection (fc1, GELU, fc2)", get(in + "fno_projection"));
  }
  row("optimizer: Adam step", get("adam_step"));
  row("the rest: batch gather, decode, loss, gradient zeroing",
      timed - get("fno_forward") - get("fno_backward") - get("adam_step"));
  TESSERA_LOG("  across both passes:");
  row("  truncated DFT GEMMs (" + blas + ")",
      get("spectral_forward_dft" + gemm) + get("spectral_inverse_dft" + gemm));
  row("  pointwise W GEMMs (" + blas + ")", get("fno_pointwise" + gemm));
  row("  bias + GELU kernels (hidden layers and projection)", get("fno_bias_gelu"));
  row("  GELU adjoint kernels", get("fno_gelu_adjoint"));
  row("  allreduces (1 rank: no traffic; skipped on a GPU)",
      get("spectral_allreduce") + get("fno_gradient_allreduce"));
  if (detail) {
    TESSERA_LOG("  every region and kernel (inclusive, mean per step; \"a > b\": b inside a):");
    g_profile.seconds = all;
    print_profile(repeats);
  }
}

int run_train(Options& o) {
  const int repeats = o.integer("repeats", 5), warmup = o.integer("warmup", 2);
  const int g2 = o.integer("grid2d", 64), m2 = o.integer("modes2d", 12),
            b2 = o.integer("batch2d", 10);
  const std::vector<int> g3 = o.list("grid3d", "32");
  const int m3 = o.integer("modes3d", 8), b3 = o.integer("batch3d", 4);
  const bool detail = o.integer("detail", 0) != 0;
  const std::vector<std::string> dtypes = o.words("dtypes", "float64,float32");
  o.check_all_used();
  for (const auto& d : dtypes)
    TESSERA_CHECK(d == "float64" || d == "float32",
                  "bench_fno: dtypes lists '" << d << "'; float64 and float32 are measured");
  print_blas();
  nn::FnoShape two;
  two.dims = 2;
  two.in_channels = 1;
  two.width = 32;
  two.layers = 4;
  two.modes = {m2, m2};
  two.padding = {0, 0};
  for (const auto& d : dtypes)
    time_training("fno2d_" + std::to_string(g2), two, {g2, g2}, b2, warmup, repeats, detail,
                  d == "float32");
  nn::FnoShape three;
  three.dims = 3;
  three.in_channels = 10;  // FNO3d: the first 10 time steps, then x, y, t
  three.width = 20;
  three.layers = 4;
  three.modes = {m3, m3, m3};
  three.padding = {0, 0, 0};
  for (int n : g3)
    for (const auto& d : dtypes)
      time_training("fno3d_" + std::to_string(n), three, {n, n, n}, b3, warmup, repeats, detail,
                    d == "float32");
  return 0;
}

// ---------------------------------------------------------------- domain
nn::FnoShape fno2d(int modes) {
  nn::FnoShape s;
  s.dims = 2;
  s.width = 32;
  s.layers = 4;
  s.modes = {modes, modes};
  return s;
}

/// Max |a - b| / max |b| over this rank's values, and over the ranks.
double relative_difference(const nn::Vector& a, const nn::Vector& b, long offset_b = 0) {
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b);
  double d = 0, m = 0;
  for (size_t i = 0; i < ha.extent(0); ++i) {
    d = std::max(d, std::abs(ha(i) - hb(size_t(offset_b) + i)));
    m = std::max(m, std::abs(hb(size_t(offset_b) + i)));
  }
  double dm[2] = {d, m};
  MPI_Allreduce(MPI_IN_PLACE, dm, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return dm[0] / dm[1];
}

int run_domain(Environment& env, Options& o) {
  const int repeats = o.integer("repeats", 5), warmup = o.integer("warmup", 2);
  const int n = o.integer("grid", 64), batch = o.integer("batch", 10),
            modes = o.integer("modes", 12);
  const std::vector<int> sizes = o.list("sizes", "64,128,256");
  o.check_all_used();
  const int P = env.size(), rank = env.rank();
  print_blas();
  TESSERA_LOG("domain-parallel Fourier layers on " << P << " rank(s), slabs of dimension 1");

  // 1. The split run against every rank alone on the whole grid: output and gradient.
  {
    const std::vector<int> grid{n * P, n};
    const nn::FnoShape shape = fno2d(modes);
    const int b = 2;
    nn::Fno split(shape, grid, slab(grid, 0, rank, P), MPI_COMM_WORLD), whole(shape, grid);
    split.initialize(5);
    whole.initialize(5);
    const long points = whole.local_points();
    const nn::Vector x = random_device(b * points, 21, "x"),
                     dy = random_device(b * points, 22, "dy");
    const long own = split.local_points(), first = long(split.block().offset[0]) * n;
    nn::Vector xs("xs", b * own), dys("dys", b * own), ys("ys", b * own), y("y", b * points);
    for (int s = 0; s < b; ++s) {
      const auto range = std::make_pair(s * points + first, s * points + first + own);
      const auto mine = std::make_pair(s * own, (s + 1) * own);
      Kokkos::deep_copy(Kokkos::subview(xs, mine), Kokkos::subview(x, range));
      Kokkos::deep_copy(Kokkos::subview(dys, mine), Kokkos::subview(dy, range));
    }
    nn::Vector gs("gs", split.parameter_count()), gw("gw", whole.parameter_count());
    nn::FnoWorkspace wss, wsw;
    split.forward(xs, ys, wss);
    split.backward(dys, gs, wss);
    whole.forward(x, y, wsw);
    whole.backward(dy, gw, wsw);
    nn::Vector yw("yw", b * own);  // the whole run's output at this rank's points
    for (int s = 0; s < b; ++s)
      Kokkos::deep_copy(
          Kokkos::subview(yw, std::make_pair(s * own, (s + 1) * own)),
          Kokkos::subview(y, std::make_pair(s * points + first, s * points + first + own)));
    const double ey = relative_difference(ys, yw), eg = relative_difference(gs, gw);
    char line[240];
    std::snprintf(line, sizeof line,
                  "tessera_fno_domain_check ranks=%d grid=%dx%d batch=%d output_rel_diff=%.3g "
                  "gradient_rel_diff=%.3g %s",
                  P, n * P, n, b, ey, eg, ey < 1e-10 && eg < 1e-10 ? "ok" : "MISMATCH");
    TESSERA_LOG(line);
  }

  // 2. Weak scaling, n^2 per rank: every rank alone on its own n^2 (concurrently) against the
  // P ranks on (P n) x n, alternating, for one Fourier layer (forward + backward) and one training
  // step. The time of a run is its slowest rank's.
  {
    const nn::SpectralConvShape layer_shape{32, 32, {n, n}, {modes, modes}};
    nn::SpectralConvShape wide = layer_shape;
    wide.grid = {n * P, n};
    nn::SpectralConv alone(layer_shape), split(wide, slab(wide.grid, 0, rank, P), MPI_COMM_WORLD);
    alone.initialize(3);
    split.initialize(3);
    const long pts = long(n) * n;
    const nn::Vector x = random_device(batch * 32 * pts, 31, "x"),
                     dy = random_device(batch * 32 * pts, 32, "dy");
    nn::Vector y("y", batch * 32 * pts), dx("dx", batch * 32 * pts),
        g("g", alone.parameter_count());
    nn::SpectralConvWorkspace wa, ws;
    Training ta(fno2d(modes), {n, n}, nn::GridBlock{{0, 0}, {n, n}}, MPI_COMM_SELF, batch);
    Training td(fno2d(modes), {n * P, n}, slab({n * P, n}, 0, rank, P), MPI_COMM_WORLD, batch);
    auto slowest = [](double s) {
      MPI_Allreduce(MPI_IN_PLACE, &s, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      return s;
    };
    auto timed = [&](auto&& work) {
      MPI_Barrier(MPI_COMM_WORLD);
      const auto start = Clock::now();
      work();
      Kokkos::fence();
      return slowest(since(start));
    };
    std::vector<double> la, ld, sa, sd, wait;
    for (int r = 0; r < warmup + repeats; ++r) {
      const double a = timed([&] {
        alone.forward(x, y, wa);
        alone.backward(dy, dx, g, wa);
      });
      const double d = timed([&] {
        split.forward(x, y, ws);
        split.backward(dy, dx, g, ws);
      });
      const double s1 = timed([&] { ta.step(); });
      g_profile.reset();
      const double s2 = timed([&] { td.step(); });
      double w = g_profile.get("tessera::nn::spectral_allreduce") +
                 g_profile.get("tessera::nn::fno_gradient_allreduce");
      MPI_Allreduce(MPI_IN_PLACE, &w, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      if (r < warmup) continue;
      la.push_back(a), ld.push_back(d), sa.push_back(s1), sd.push_back(s2), wait.push_back(w);
    }
    char line[400];
    std::snprintf(line, sizeof line,
                  "tessera_fno_weak ranks=%d per_rank=%dx%d batch=%d layer_alone=%.5g "
                  "layer_split=%.5g layer_efficiency=%.3f step_alone=%.5g step_split=%.5g "
                  "step_efficiency=%.3f step_allreduce=%.5g",
                  P, n, n, batch, median(la), median(ld), median(la) / median(ld), median(sa),
                  median(sd), median(sa) / median(sd), median(wait));
    TESSERA_LOG(line);
  }

  // 3. Bytes reduced per Fourier layer call, counted at MPI_Allreduce, split along either
  // dimension, against SpectralConv::bytes_per_call.
  for (int split_dim = 0; split_dim < 2; ++split_dim)
    for (int size : sizes) {
      const nn::SpectralConvShape s{32, 32, {size, size}, {modes, modes}};
      nn::SpectralConv layer(s, slab(s.grid, split_dim, rank, P), MPI_COMM_WORLD);
      layer.initialize(3);
      const long pts = layer.local_points();
      const nn::Vector x = random_device(batch * 32 * pts, 41, "x");
      nn::Vector y("y", x.extent(0)), dx("dx", x.extent(0)), g("g", layer.parameter_count());
      nn::SpectralConvWorkspace ws;
      layer.forward(x, y, ws);  // sizes the workspace
      g_allreduce_bytes = 0;
      g_count_allreduce = true;
      layer.forward(x, y, ws);
      const long forward = g_allreduce_bytes;
      g_allreduce_bytes = 0;
      layer.backward(y, dx, g, ws);
      const long backward = g_allreduce_bytes;
      g_count_allreduce = false;
      const auto predicted = layer.bytes_per_call(batch);
      char line[300];
      std::snprintf(
          line, sizeof line,
          "tessera_fno_bytes ranks=%d grid=%dx%d split=dim%d modes=%d batch=%d "
          "forward_bytes=%ld backward_bytes=%ld bytes_per_call=%ld/%ld %s",
          P, size, size, split_dim + 1, modes, batch, forward, backward, predicted.forward,
          predicted.backward,
          forward == predicted.forward && backward == predicted.backward ? "ok" : "MISMATCH");
      TESSERA_LOG(line);
    }
  return 0;
}

// ---------------------------------------------------------------- memory
struct Peak {
  double kokkos = 0, resident = 0, seconds = 0;
};

/// Per-rank peak (max over ranks) of one single-sample network, its trainer and two steps on
/// n x n split in slabs.
Peak measure(int n, int modes) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  g_profile.reset();
  const long before = g_profile.bytes;
  Peak p;
  {
    Training t(fno2d(modes), {n, n}, slab({n, n}, 0, rank, size), MPI_COMM_WORLD, 1);
    t.step();
    MPI_Barrier(MPI_COMM_WORLD);
    const auto start = Clock::now();
    t.step();
    p.seconds = since(start);
  }
  double v[3] = {double(g_profile.peak_bytes - before), double(resident_high_water()), p.seconds};
  MPI_Allreduce(MPI_IN_PLACE, v, 3, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  p.kokkos = v[0];
  p.resident = v[1];
  p.seconds = v[2];
  return p;
}

int run_memory(Environment& env, Options& o) {
  const double budget = o.integer("budget_mib", 2048) * 1048576.0;
  const std::vector<int> grids = o.list("grids", "128,256,384");
  const int modes = o.integer("modes", 12);
  const bool verify = o.integer("verify", 1) != 0;
  o.check_all_used();
  const int P = env.size();
  TESSERA_LOG("memory per rank, FNO-2D width 32, 4 layers, modes "
              << modes << ", one sample per step, " << P
              << " rank(s) (slabs of dimension 1); resident "
              << "set: the process's VmHWM (libraries and MPI included)");
  std::vector<double> points, bytes;
  for (int n : grids) {
    const Peak p = measure(n, modes);
    points.push_back(double(n) * n / P);
    bytes.push_back(p.kokkos);
    char line[300];
    std::snprintf(line, sizeof line,
                  "tessera_fno_memory ranks=%d grid=%dx%d kokkos_peak_mib=%.1f "
                  "resident_high_water_mib=%.1f seconds_per_step=%.3g",
                  P, n, n, p.kokkos / 1048576.0, p.resident / 1048576.0, p.seconds);
    TESSERA_LOG(line);
  }
  // Kokkos peak = a + b (points per rank), from the two largest grids.
  const size_t k = points.size();
  TESSERA_CHECK(k >= 2, "bench_fno memory: give at least two grids");
  const double b = (bytes[k - 1] - bytes[k - 2]) / (points[k - 1] - points[k - 2]);
  const double a = bytes[k - 1] - b * points[k - 1];
  const int largest = int(std::floor(std::sqrt(P * (budget - a) / b)));
  char line[300];
  std::snprintf(line, sizeof line,
                "tessera_fno_memory_fit ranks=%d bytes_per_local_point=%.1f fixed_mib=%.1f "
                "budget_mib=%.0f largest_grid=%dx%d",
                P, b, a / 1048576.0, budget / 1048576.0, largest, largest);
  TESSERA_LOG(line);
  if (verify) {
    const Peak p = measure(largest, modes);
    std::snprintf(line, sizeof line,
                  "tessera_fno_memory ranks=%d grid=%dx%d kokkos_peak_mib=%.1f "
                  "resident_high_water_mib=%.1f seconds_per_step=%.3g (the fitted largest)",
                  P, largest, largest, p.kokkos / 1048576.0, p.resident / 1048576.0, p.seconds);
    TESSERA_LOG(line);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "train";
  return tessera::run_main(argc, argv, [&](tessera::Environment& env) {
    install_callbacks();
    Options options(argc, argv, 2);
    if (mode == "train") {
      TESSERA_CHECK(env.size() == 1, "bench_fno train runs on one rank");
      return run_train(options);
    }
    if (mode == "domain") return run_domain(env, options);
    if (mode == "memory") return run_memory(env, options);
    TESSERA_THROW("bench_fno: mode '" << mode << "' is not train, domain or memory");
    return 1;
  });
}
