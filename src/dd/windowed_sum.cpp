#include "dd/windowed_sum.hpp"

#include <algorithm>
#include <climits>
#include <map>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/timer.hpp"

namespace tessera::dd {

namespace {

constexpr int kSetupTag = 10, kJetTag = 11, kAdjointTag = 12;

int message_size(long doubles) {
  TESSERA_CHECK(doubles <= INT_MAX,
                "WindowedSum: a message of " << doubles << " values exceeds one MPI message");
  return static_cast<int>(doubles);
}

}  // namespace

WindowedSum::WindowedSum(const SubdomainGrid& grid, const PartitionOfUnity& windows,
                         nn::StackedMlp& nets, const std::vector<std::vector<double>>& points,
                         int laplacian_dims)
    : grid_(grid),
      windows_(windows),
      nets_(nets),
      dim_(grid.dim()),
      streams_(jet_count(dim_)),
      outputs_(nets.shape().outputs),
      laplacian_dims_(laplacian_dims > 0 ? laplacian_dims : dim_),
      width_(streams_ * outputs_) {
  const auto& owned = grid.owned();
  const int local = static_cast<int>(owned.size());
  const int me = grid.rank();
  const int dim = dim_, streams = streams_, width = width_;
  TESSERA_CHECK(nets.count() == local && nets.shape().inputs == dim && outputs_ >= 1 &&
                    outputs_ <= 3 && laplacian_dims_ <= dim,
                "WindowedSum: needs one " << dim << "-input, 1- to 3-output network per owned "
                                          << "subdomain (" << local << ") and a Laplacian over at "
                                          << "most " << dim << " inputs, got " << nets.count()
                                          << " networks of " << outputs_ << " outputs, "
                                          << laplacian_dims << " Laplacian inputs");
  TESSERA_CHECK(
      static_cast<int>(points.size()) == local,
      "WindowedSum: point sets for " << points.size() << " subdomains, this rank owns " << local);

  // Owner side: which network covers which of my points, with its normalised window there.
  for (int l = 0; l < local; ++l) {
    const int id = owned[l];
    const Box box = grid.box(id);
    const auto cover = windows.cover(id);
    const size_t first = incoming_.size();
    for (int j : cover) incoming_.push_back({l, j, grid.owner(j), {}, {}, {}, 0});
    const long m = static_cast<long>(points[l].size() / dim);
    point_counts_.push_back(m);
    for (long p = 0; p < m; ++p) {
      Point x{0.0, 0.0, 0.0};
      bool inside = true;
      for (int d = 0; d < dim; ++d) {
        x[d] = points[l][dim * p + d];
        inside = inside && x[d] >= box.lo[d] && x[d] <= box.hi[d];
      }
      TESSERA_CHECK(inside, "WindowedSum: point (" << x[0] << ", " << x[1] << ", " << x[2]
                                                   << ") outside subdomain " << id);
      const auto w = windows.windows(cover, x, laplacian_dims_);
      for (size_t k = 0; k < cover.size(); ++k) {
        if (!windows.covers(cover[k], x)) continue;
        incoming_[first + k].indices.push_back(p);
        incoming_[first + k].windows.push_back(w[k]);
      }
    }
    for (size_t k = first; k < incoming_.size(); ++k)
      incoming_[k].jets.assign(width * incoming_[k].indices.size(), 0.0);
  }

  // Contributor side: each of my networks evaluates at the covered points of every target.
  // The cover relation is symmetric, so both sides of a rank pair find each other as peers.
  std::map<int, long> in_size;  // per peer rank, doubles of jets received
  for (int b = 0; b < local; ++b)
    for (int i : windows.cover(owned[b])) outgoing_.push_back({b, i, grid.owner(i), 0, 0, 0});
  for (const auto& in : incoming_)
    if (in.rank != me) in_size[in.rank] += width * static_cast<long>(in.indices.size());
  for (const auto& [rank, size] : in_size) peers_.push_back({rank, 0, size});
  auto peer_index = [&](int rank) {
    const auto it =
        std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) { return p.rank == rank; });
    TESSERA_CHECK(it != peers_.end(), "WindowedSum: rank " << rank << " is no neighbour");
    return static_cast<size_t>(it - peers_.begin());
  };

  // Messages list pairs by (target, source) id on both sides. Setup: counts, then coordinates.
  auto by_pair = [](int target, int source) { return std::make_pair(target, source); };
  std::vector<std::vector<Incoming*>> owner_pairs(peers_.size());
  std::vector<std::vector<Outgoing*>> source_pairs(peers_.size());
  for (auto& in : incoming_)
    if (in.rank != me) owner_pairs[peer_index(in.rank)].push_back(&in);
  for (auto& out : outgoing_)
    if (out.rank != me) source_pairs[peer_index(out.rank)].push_back(&out);
  for (auto& list : owner_pairs)
    std::sort(list.begin(), list.end(), [&](Incoming* a, Incoming* b) {
      return by_pair(grid.owned()[a->local], a->source) <
             by_pair(grid.owned()[b->local], b->source);
    });
  for (auto& list : source_pairs)
    std::sort(list.begin(), list.end(), [&](const Outgoing* a, const Outgoing* b) {
      return by_pair(a->target, grid.owned()[a->local]) <
             by_pair(b->target, grid.owned()[b->local]);
    });
  TESSERA_MPI_CALL(MPI_Comm_dup(grid.comm(), &comm_));
  const size_t n = peers_.size();
  std::vector<std::vector<long>> my_counts(n), their_counts(n);
  std::vector<std::vector<double>> my_coords(n), their_coords(n);
  std::vector<MPI_Request> requests(2 * n);
  auto wait_all = [&] {
    TESSERA_MPI_CALL(
        MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE));
  };
  for (size_t q = 0; q < n; ++q) {
    for (Incoming* in : owner_pairs[q]) {
      my_counts[q].push_back(static_cast<long>(in->indices.size()));
      for (long p : in->indices)
        for (int d = 0; d < dim; ++d) my_coords[q].push_back(points[in->local][dim * p + d]);
    }
    their_counts[q].resize(source_pairs[q].size());
    TESSERA_MPI_CALL(MPI_Irecv(their_counts[q].data(), message_size(their_counts[q].size()),
                               MPI_LONG, peers_[q].rank, kSetupTag, comm_, &requests[q]));
    TESSERA_MPI_CALL(MPI_Isend(my_counts[q].data(), message_size(my_counts[q].size()), MPI_LONG,
                               peers_[q].rank, kSetupTag, comm_, &requests[n + q]));
  }
  wait_all();
  for (size_t q = 0; q < n; ++q) {
    long total = 0;
    for (long c : their_counts[q]) total += c;
    their_coords[q].resize(dim * total);
    TESSERA_MPI_CALL(MPI_Irecv(their_coords[q].data(), message_size(dim * total), MPI_DOUBLE,
                               peers_[q].rank, kSetupTag, comm_, &requests[q]));
    TESSERA_MPI_CALL(MPI_Isend(my_coords[q].data(), message_size(my_coords[q].size()), MPI_DOUBLE,
                               peers_[q].rank, kSetupTag, comm_, &requests[n + q]));
  }
  wait_all();

  // Message offsets and every network's batch: targets in id order, then the padded size.
  std::vector<std::vector<double>> coords(outgoing_.size());  // dim per point, per outgoing
  for (size_t q = 0; q < n; ++q) {
    long offset = 0, position = 0;
    for (size_t k = 0; k < source_pairs[q].size(); ++k) {
      Outgoing* out = source_pairs[q][k];
      out->count = their_counts[q][k];
      out->offset = offset;
      offset += width * out->count;
      coords[out - outgoing_.data()].assign(
          their_coords[q].begin() + dim * position,
          their_coords[q].begin() + dim * (position + out->count));
      position += out->count;
    }
    peers_[q].out_size = offset;
    long in_offset = 0;
    for (Incoming* in : owner_pairs[q]) {
      in->offset = in_offset;
      in_offset += width * static_cast<long>(in->indices.size());
    }
  }
  for (size_t k = 0; k < outgoing_.size(); ++k) {
    Outgoing& out = outgoing_[k];
    if (out.rank != me) continue;
    const int target_local = grid.local_index(out.target);
    const int source = owned[out.local];
    const auto it = std::find_if(incoming_.begin(), incoming_.end(), [&](const Incoming& in) {
      return in.local == target_local && in.source == source;
    });
    TESSERA_CHECK(it != incoming_.end(),
                  "WindowedSum: no pair (" << out.target << ", " << source << ")");
    out.count = static_cast<long>(it->indices.size());
    out.offset = it - incoming_.begin();
    it->offset = static_cast<long>(k);
    for (long p : it->indices)
      for (int d = 0; d < dim; ++d) coords[k].push_back(points[target_local][dim * p + d]);
  }
  std::vector<long> column(local, 0);
  for (auto& out : outgoing_) {
    out.column = column[out.local];
    column[out.local] += out.count;
  }
  long batch = 1;
  for (long c : column) batch = std::max(batch, c);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &batch, 1, MPI_LONG, MPI_MAX, comm_));
  TESSERA_CHECK(batch <= INT_MAX / streams, "WindowedSum: " << batch << " points per network");
  batch_ = static_cast<int>(batch);

  // Network inputs normalised to the grown boxes; padding columns sit at the centre (ξ = 0) and
  // get a zero adjoint.
  batch_points_ = nn::Matrix("tessera::dd::fbpinn_batch_points", dim, local * batch_);
  auto host = Kokkos::create_mirror_view(batch_points_);
  Kokkos::deep_copy(host, 0.0);
  for (int b = 0; b < local; ++b) scales_.push_back(windows.scale(owned[b]));
  for (size_t k = 0; k < outgoing_.size(); ++k) {
    const Outgoing& out = outgoing_[k];
    const auto c = windows.centre(owned[out.local]);
    const double s = scales_[out.local];
    for (long t = 0; t < out.count; ++t)
      for (int d = 0; d < dim; ++d)
        host(d, out.local * batch_ + out.column + t) = (coords[k][dim * t + d] - c[d]) / s;
  }
  Kokkos::deep_copy(batch_points_, host);
  nets.prepare(ws_, nn::JetOrder::Laplacian, batch_, laplacian_dims_);
  jets_host_ = Kokkos::create_mirror_view(ws_.output());
  batch_adjoint_ = nn::Matrix("tessera::dd::fbpinn_batch_adjoint",
                              static_cast<long>(local) * streams * batch_, outputs_);
  batch_adjoint_host_ = Kokkos::create_mirror_view(batch_adjoint_);

  for (const auto& p : peers_) {
    send_.emplace_back(p.out_size, 0.0);
    receive_.emplace_back(p.in_size, 0.0);
    bytes_per_evaluation_ += (p.out_size + p.in_size) * static_cast<long>(sizeof(double));
  }
  jets_.resize(local);
  for (int l = 0; l < local; ++l) jets_[l].assign(width * point_counts_[l], 0.0);
}

WindowedSum::~WindowedSum() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

std::vector<double>& WindowedSum::peer_buffer(std::vector<std::vector<double>>& buffers, int rank) {
  for (size_t q = 0; q < peers_.size(); ++q)
    if (peers_[q].rank == rank) return buffers[q];
  TESSERA_THROW("WindowedSum: rank " << rank << " is no neighbour");
}

void WindowedSum::post_receives(std::vector<std::vector<double>>& receive, int tag) {
  ProfilingRegion region(Phase::Exchange);
  const size_t n = peers_.size();
  requests_.assign(2 * n, MPI_REQUEST_NULL);
  for (size_t q = 0; q < n; ++q)
    TESSERA_MPI_CALL(MPI_Irecv(receive[q].data(), message_size(receive[q].size()), MPI_DOUBLE,
                               peers_[q].rank, tag, comm_, &requests_[q]));
}

void WindowedSum::post_sends(std::vector<std::vector<double>>& send, int tag) {
  ProfilingRegion region(Phase::Exchange);
  const size_t n = peers_.size();
  for (size_t q = 0; q < n; ++q)
    TESSERA_MPI_CALL(MPI_Isend(send[q].data(), message_size(send[q].size()), MPI_DOUBLE,
                               peers_[q].rank, tag, comm_, &requests_[n + q]));
}

void WindowedSum::wait() {
  ProfilingRegion region(Phase::Exchange);
  Timer wait;
  TESSERA_MPI_CALL(
      MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE));
  communication_seconds_ += wait.seconds();
}

void WindowedSum::forward() {
  const int me = grid_.rank();
  const long batch = batch_;
  const int dim = dim_, streams = streams_, lap = 1 + dim_, outputs = outputs_, width = width_;
  const int lap_dims = laplacian_dims_;
  // Receives first, so the neighbours' jets can land while this rank runs its networks.
  post_receives(receive_, kJetTag);
  nets_.forward(batch_points_, ws_);
  Kokkos::deep_copy(jets_host_, ws_.output());
  const auto& out = jets_host_;
  // Jets in physical coordinates: d/dx = d/dξ / s, Δ_x = Δ_ξ / s². Remote targets first, so the
  // messages leave before the same-rank pairs are filled.
  auto pack = [&](const Outgoing& o) {
    double* dst = o.rank == me ? incoming_[o.offset].jets.data()
                               : peer_buffer(send_, o.rank).data() + o.offset;
    const double s = scales_[o.local];
    const long base = o.local * streams * batch + o.column;
    for (long t = 0; t < o.count; ++t)
      for (int k = 0; k < outputs; ++k) {
        double* jet = dst + width * t + streams * k;
        jet[0] = out(base + t, k);
        for (int d = 0; d < dim; ++d) jet[1 + d] = out(base + (1 + d) * batch + t, k) / s;
        jet[lap] = out(base + lap * batch + t, k) / (s * s);
      }
  };
  for (const auto& o : outgoing_)
    if (o.rank != me) pack(o);
  post_sends(send_, kJetTag);
  for (const auto& o : outgoing_)
    if (o.rank == me) pack(o);
  wait();
  for (auto& in : incoming_) {
    if (in.rank == me) continue;
    const double* src = peer_buffer(receive_, in.rank).data() + in.offset;
    std::copy(src, src + in.jets.size(), in.jets.begin());
  }
  // Sum in the product rule, contributors in id order at every point; ∇w·∇N over the
  // Laplacian's axes.
  for (auto& j : jets_) std::fill(j.begin(), j.end(), 0.0);
  for (const auto& in : incoming_) {
    double* u = jets_[in.local].data();
    for (size_t t = 0; t < in.indices.size(); ++t) {
      const WindowJet& w = in.windows[t];
      for (int k = 0; k < outputs; ++k) {
        const double* nj = in.jets.data() + width * t + streams * k;
        double* up = u + width * in.indices[t] + streams * k;
        up[0] += w[0] * nj[0];
        double grad_dot = 0.0;
        for (int d = 1; d <= dim; ++d) {
          up[d] += nj[0] * w[d] + w[0] * nj[d];
          if (d <= lap_dims) grad_dot += w[d] * nj[d];
        }
        up[lap] += nj[0] * w[lap] + 2.0 * grad_dot + w[0] * nj[lap];
      }
    }
  }
}

void WindowedSum::backward(const std::vector<std::vector<double>>& adjoint,
                           const nn::Vector& gradient) {
  const int me = grid_.rank();
  const long batch = batch_;
  const int dim = dim_, streams = streams_, lap = 1 + dim_, outputs = outputs_, width = width_;
  const int lap_dims = laplacian_dims_;
  TESSERA_CHECK(adjoint.size() == jets_.size(), "WindowedSum::backward: adjoints for "
                                                    << adjoint.size() << " subdomains, not "
                                                    << jets_.size());
  for (size_t l = 0; l < adjoint.size(); ++l)
    TESSERA_CHECK(adjoint[l].size() == jets_[l].size(),
                  "WindowedSum::backward: wrong adjoint size for local subdomain " << l);
  post_receives(send_, kAdjointTag);
  // The adjoint of each contributing network's jets at the owner's points.
  auto pull_back = [&](Incoming& in) {
    double* dst =
        in.rank == me ? in.jets.data() : peer_buffer(receive_, in.rank).data() + in.offset;
    for (size_t t = 0; t < in.indices.size(); ++t) {
      const WindowJet& w = in.windows[t];
      for (int k = 0; k < outputs; ++k) {
        const double* a = adjoint[in.local].data() + width * in.indices[t] + streams * k;
        double* d = dst + width * t + streams * k;
        d[0] = a[0] * w[0];
        for (int q = 1; q <= lap; ++q) d[0] += a[q] * w[q];
        for (int q = 1; q <= dim; ++q)
          d[q] = q <= lap_dims ? a[q] * w[0] + 2.0 * a[lap] * w[q] : a[q] * w[0];
        d[lap] = a[lap] * w[0];
      }
    }
  };
  // Back to ξ coordinates, into each network's batch.
  auto unpack = [&](const Outgoing& o) {
    const double* src = o.rank == me ? incoming_[o.offset].jets.data()
                                     : peer_buffer(send_, o.rank).data() + o.offset;
    const double s = scales_[o.local];
    const long base = o.local * streams * batch + o.column;
    for (long t = 0; t < o.count; ++t)
      for (int k = 0; k < outputs; ++k) {
        const double* jet = src + width * t + streams * k;
        batch_adjoint_host_(base + t, k) = jet[0];
        for (int q = 1; q <= dim; ++q) batch_adjoint_host_(base + q * batch + t, k) = jet[q] / s;
        batch_adjoint_host_(base + lap * batch + t, k) = jet[lap] / (s * s);
      }
  };
  for (auto& in : incoming_)
    if (in.rank != me) pull_back(in);
  post_sends(receive_, kAdjointTag);
  // Same-rank pairs while the messages travel.
  Kokkos::deep_copy(batch_adjoint_host_, 0.0);
  for (auto& in : incoming_)
    if (in.rank == me) pull_back(in);
  for (const auto& o : outgoing_)
    if (o.rank == me) unpack(o);
  wait();
  for (const auto& o : outgoing_)
    if (o.rank != me) unpack(o);
  Kokkos::deep_copy(batch_adjoint_, batch_adjoint_host_);
  nets_.backward(ws_, batch_adjoint_, gradient);
}

std::vector<std::vector<double>> windowed_values(const SubdomainGrid& grid,
                                                 const PartitionOfUnity& windows,
                                                 nn::StackedMlp& nets,
                                                 const std::vector<std::vector<double>>& points,
                                                 int output) {
  WindowedSum sum(grid, windows, nets, points);
  TESSERA_CHECK(output >= 0 && output < sum.outputs(),
                "windowed_values: output " << output << " of " << sum.outputs());
  sum.forward();
  std::vector<std::vector<double>> values(points.size());
  const size_t dim = grid.dim(), streams = jet_count(grid.dim()), width = streams * sum.outputs();
  for (size_t l = 0; l < points.size(); ++l)
    for (size_t p = 0; p < points[l].size() / dim; ++p)
      values[l].push_back(sum.jets()[l][width * p + streams * output]);
  return values;
}

}  // namespace tessera::dd
