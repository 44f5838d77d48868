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

// Subdomain `local` (owned here) receives the jets of network `source` at its points `indices`.
struct Incoming {
  int local, source, rank;
  std::vector<long> indices;
  std::vector<WindowJet> windows;  // w_source and its derivatives at those points
  long offset = 0;  // in the peer's message (doubles); on this rank, the Outgoing's index
  long slot = 0;    // first double of its jets in the pair buffer
};
// Network `local` (owned here) evaluates at `count` points of subdomain `target`.
struct Outgoing {
  int local, target, rank;
  long count = 0, column = 0;  // columns [column, column + count) of the network's batch
  long offset = 0;             // in the peer's message; or, on this rank, the Incoming's index
};

int message_size(long doubles) {
  TESSERA_CHECK(doubles <= INT_MAX,
                "WindowedSum: a message of " << doubles << " values exceeds one MPI message");
  return static_cast<int>(doubles);
}

}  // namespace

WindowedSum::WindowedSum(const SubdomainGrid& grid, const PartitionOfUnity& windows,
                         nn::StackedMlp& nets, const std::vector<std::vector<double>>& points,
                         int laplacian_dims)
    : nets_(nets) {
  const int dim = grid.dim(), streams = jet_count(dim), outputs = nets.shape().outputs;
  const int lap_dims = laplacian_dims > 0 ? laplacian_dims : dim;
  const int width = streams * outputs;
  const auto& owned = grid.owned();
  const int local = static_cast<int>(owned.size());
  const int me = grid.rank();
  TESSERA_CHECK(nets.count() == local && nets.shape().inputs == dim && outputs >= 1 &&
                    outputs <= 3 && lap_dims <= dim,
                "WindowedSum: needs one " << dim << "-input, 1- to 3-output network per owned "
                                          << "subdomain (" << local << ") and a Laplacian over at "
                                          << "most " << dim << " inputs, got " << nets.count()
                                          << " networks of " << outputs << " outputs, "
                                          << laplacian_dims << " Laplacian inputs");
  TESSERA_CHECK(
      static_cast<int>(points.size()) == local,
      "WindowedSum: point sets for " << points.size() << " subdomains, this rank owns " << local);

  // Owner side: which network covers which of my points, with its normalised window there.
  std::vector<Incoming> incoming;  // by (local target, source id)
  point_offsets_.push_back(0);
  for (int l = 0; l < local; ++l) {
    const int id = owned[l];
    const Box box = grid.box(id);
    const auto cover = windows.cover(id);
    const size_t first = incoming.size();
    for (int j : cover) incoming.push_back({l, j, grid.owner(j), {}, {}, 0, 0});
    const long m = static_cast<long>(points[l].size() / dim);
    point_offsets_.push_back(point_offsets_.back() + m);
    for (long p = 0; p < m; ++p) {
      Point x{0.0, 0.0, 0.0, 0.0};
      bool inside = true;
      for (int d = 0; d < dim; ++d) {
        x[d] = points[l][dim * p + d];
        inside = inside && x[d] >= box.lo[d] && x[d] <= box.hi[d];
      }
      TESSERA_CHECK(inside, "WindowedSum: point (" << x[0] << ", " << x[1] << ", " << x[2]
                                                   << ") outside subdomain " << id);
      const auto w = windows.windows(cover, x, lap_dims);
      for (size_t k = 0; k < cover.size(); ++k) {
        if (!windows.covers(cover[k], x)) continue;
        incoming[first + k].indices.push_back(p);
        incoming[first + k].windows.push_back(w[k]);
      }
    }
  }

  // Contributor side: each of my networks evaluates at the covered points of every target.
  // The cover relation is symmetric, so both sides of a rank pair find each other as peers.
  std::vector<Outgoing> outgoing;  // by (local source, target id)
  std::map<int, long> in_size;     // per peer rank, doubles of jets received
  for (int b = 0; b < local; ++b)
    for (int i : windows.cover(owned[b])) outgoing.push_back({b, i, grid.owner(i), 0, 0, 0});
  for (const auto& in : incoming)
    if (in.rank != me) in_size[in.rank] += width * static_cast<long>(in.indices.size());
  for (const auto& [rank, size] : in_size) peers_.push_back({rank, 0, size, 0, 0});
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
  for (auto& in : incoming)
    if (in.rank != me) owner_pairs[peer_index(in.rank)].push_back(&in);
  for (auto& out : outgoing)
    if (out.rank != me) source_pairs[peer_index(out.rank)].push_back(&out);
  for (auto& list : owner_pairs)
    std::sort(list.begin(), list.end(), [&](Incoming* a, Incoming* b) {
      return by_pair(owned[a->local], a->source) < by_pair(owned[b->local], b->source);
    });
  for (auto& list : source_pairs)
    std::sort(list.begin(), list.end(), [&](const Outgoing* a, const Outgoing* b) {
      return by_pair(a->target, owned[a->local]) < by_pair(b->target, owned[b->local]);
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

  // The pair buffer: the send region (per peer, pairs in message order), then the incoming
  // region (per peer likewise, then the same-rank pairs).
  std::vector<std::vector<double>> coords(outgoing.size());  // dim per point, per outgoing
  for (size_t q = 0; q < n; ++q) {
    long offset = 0, position = 0;
    for (size_t k = 0; k < source_pairs[q].size(); ++k) {
      Outgoing* out = source_pairs[q][k];
      out->count = their_counts[q][k];
      out->offset = offset;
      offset += width * out->count;
      coords[out - outgoing.data()].assign(their_coords[q].begin() + dim * position,
                                           their_coords[q].begin() + dim * (position + out->count));
      position += out->count;
    }
    peers_[q].out_size = offset;
    peers_[q].out_base = send_size_;
    send_size_ += offset;
  }
  for (size_t q = 0; q < n; ++q) {
    long in_offset = 0;
    for (Incoming* in : owner_pairs[q]) {
      in->offset = in_offset;
      in_offset += width * static_cast<long>(in->indices.size());
    }
    peers_[q].in_base = send_size_ + receive_size_;
    for (Incoming* in : owner_pairs[q]) in->slot = peers_[q].in_base + in->offset;
    receive_size_ += peers_[q].in_size;
  }
  long same_rank_slot = send_size_ + receive_size_;
  for (size_t k = 0; k < outgoing.size(); ++k) {
    Outgoing& out = outgoing[k];
    if (out.rank != me) continue;
    const int target_local = grid.local_index(out.target);
    const int source = owned[out.local];
    const auto it = std::find_if(incoming.begin(), incoming.end(), [&](const Incoming& in) {
      return in.local == target_local && in.source == source;
    });
    TESSERA_CHECK(it != incoming.end(),
                  "WindowedSum: no pair (" << out.target << ", " << source << ")");
    out.count = static_cast<long>(it->indices.size());
    out.offset = it - incoming.begin();
    it->slot = same_rank_slot;
    same_rank_slot += width * out.count;
    for (long p : it->indices)
      for (int d = 0; d < dim; ++d) coords[k].push_back(points[target_local][dim * p + d]);
  }
  std::vector<long> column(local, 0);
  for (auto& out : outgoing) {
    out.column = column[out.local];
    column[out.local] += out.count;
  }
  long batch = 1;
  for (long c : column) batch = std::max(batch, c);
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &batch, 1, MPI_LONG, MPI_MAX, comm_));
  TESSERA_CHECK(batch <= INT_MAX / streams, "WindowedSum: " << batch << " points per network");
  batch_ = static_cast<int>(batch);
  shape_ = WindowedJetShape{dim, streams, outputs, lap_dims, batch};

  // Network inputs normalised to the grown boxes; padding columns sit at the centre (ξ = 0) and
  // get a zero adjoint. Pack entries: the remote pairs first, so their messages can leave while
  // the same-rank pairs are packed.
  batch_points_ = nn::Matrix("tessera::dd::fbpinn_batch_points", dim, local * batch_);
  auto host = Kokkos::create_mirror_view(batch_points_);
  Kokkos::deep_copy(host, 0.0);
  std::vector<double> scales;
  for (int b = 0; b < local; ++b) scales.push_back(windows.scale(owned[b]));
  std::vector<long> pack_row, pack_slot;
  std::vector<double> pack_scale;
  for (int remote = 1; remote >= 0; --remote)
    for (size_t k = 0; k < outgoing.size(); ++k) {
      const Outgoing& out = outgoing[k];
      if ((out.rank != me) != (remote == 1)) continue;
      const auto c = windows.centre(owned[out.local]);
      const double s = scales[out.local];
      const long slot = out.rank == me ? incoming[out.offset].slot
                                       : peers_[peer_index(out.rank)].out_base + out.offset;
      for (long t = 0; t < out.count; ++t) {
        for (int d = 0; d < dim; ++d)
          host(d, out.local * batch_ + out.column + t) = (coords[k][dim * t + d] - c[d]) / s;
        pack_row.push_back(out.local * streams * batch + out.column + t);
        pack_slot.push_back(slot + width * t);
        pack_scale.push_back(s);
      }
      if (remote == 1) remote_pack_ += out.count;
    }
  Kokkos::deep_copy(batch_points_, host);
  lists_.pack_row = nn::to_device("tessera::dd::windowed_pack_row", pack_row);
  lists_.pack_slot = nn::to_device("tessera::dd::windowed_pack_slot", pack_slot);
  lists_.pack_scale = nn::to_device("tessera::dd::windowed_pack_scale", pack_scale);

  // Contributions in incoming order, which at every point is the id order of its covering
  // networks; then each point's list of them.
  std::vector<long> entry_slot, entry_point;
  std::vector<double> entry_window;
  const long total_points = point_offsets_.back();
  std::vector<long> point_first(total_points + 1, 0);
  for (const auto& in : incoming)
    for (size_t t = 0; t < in.indices.size(); ++t) {
      const long point = point_offsets_[in.local] + in.indices[t];
      entry_slot.push_back(in.slot + width * static_cast<long>(t));
      entry_point.push_back(point);
      entry_window.insert(entry_window.end(), in.windows[t].begin(), in.windows[t].end());
      ++point_first[point + 1];
    }
  for (long p = 0; p < total_points; ++p) point_first[p + 1] += point_first[p];
  std::vector<long> point_entries(entry_point.size()), fill(point_first.begin(), point_first.end());
  for (size_t e = 0; e < entry_point.size(); ++e) point_entries[fill[entry_point[e]]++] = e;
  lists_.entry_slot = nn::to_device("tessera::dd::windowed_entry_slot", entry_slot);
  lists_.entry_point = nn::to_device("tessera::dd::windowed_entry_point", entry_point);
  lists_.entry_window = Kokkos::View<double**, Kokkos::LayoutRight>(
      "tessera::dd::windowed_entry_window", entry_point.size(), std::tuple_size<WindowJet>::value);
  const Kokkos::View<const double**, Kokkos::LayoutRight, Kokkos::HostSpace,
                     Kokkos::MemoryTraits<Kokkos::Unmanaged>>
      window_host(entry_window.data(), entry_point.size(), std::tuple_size<WindowJet>::value);
  Kokkos::deep_copy(lists_.entry_window, window_host);
  lists_.point_first = nn::to_device("tessera::dd::windowed_point_first", point_first);
  lists_.point_entries = nn::to_device("tessera::dd::windowed_point_entries", point_entries);

  nets.prepare(ws_, nn::JetOrder::Laplacian, batch_, lap_dims);
  batch_adjoint_ = nn::Matrix("tessera::dd::fbpinn_batch_adjoint",
                              static_cast<long>(local) * streams * batch_, outputs);
  buffer_ = Kokkos::View<double*>("tessera::dd::windowed_pairs", same_rank_slot);
  buffer_host_ = Kokkos::create_mirror_view(buffer_);
  jets_ = Kokkos::View<double*>("tessera::dd::windowed_jets", width * total_points);
  for (const auto& p : peers_)
    bytes_per_evaluation_ += (p.out_size + p.in_size) * static_cast<long>(sizeof(double));
}

WindowedSum::~WindowedSum() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void WindowedSum::stage(long first, long last, bool to_host) {
  if (last <= first) return;
  const auto range = std::make_pair(first, last);
  if (to_host)
    Kokkos::deep_copy(Kokkos::subview(buffer_host_, range), Kokkos::subview(buffer_, range));
  else
    Kokkos::deep_copy(Kokkos::subview(buffer_, range), Kokkos::subview(buffer_host_, range));
}

void WindowedSum::post_receives(Direction direction, int tag) {
  ProfilingRegion region(Phase::Exchange);
  const size_t n = peers_.size();
  requests_.assign(2 * n, MPI_REQUEST_NULL);
  for (size_t q = 0; q < n; ++q) {
    const Peer& p = peers_[q];
    const bool jets = direction == Direction::Jets;
    TESSERA_MPI_CALL(MPI_Irecv(buffer_host_.data() + (jets ? p.in_base : p.out_base),
                               message_size(jets ? p.in_size : p.out_size), MPI_DOUBLE, p.rank, tag,
                               comm_, &requests_[q]));
  }
}

void WindowedSum::post_sends(Direction direction, int tag) {
  ProfilingRegion region(Phase::Exchange);
  const size_t n = peers_.size();
  for (size_t q = 0; q < n; ++q) {
    const Peer& p = peers_[q];
    const bool jets = direction == Direction::Jets;
    TESSERA_MPI_CALL(MPI_Isend(buffer_host_.data() + (jets ? p.out_base : p.in_base),
                               message_size(jets ? p.out_size : p.in_size), MPI_DOUBLE, p.rank, tag,
                               comm_, &requests_[n + q]));
  }
}

void WindowedSum::wait() {
  ProfilingRegion region(Phase::Exchange);
  Timer wait;
  TESSERA_MPI_CALL(
      MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE));
  communication_seconds_ += wait.seconds();
}

void WindowedSum::forward() {
  // Receives first, so the neighbours' jets can land while this rank runs its networks.
  post_receives(Direction::Jets, kJetTag);
  nets_.forward(batch_points_, ws_);
  const long packs = static_cast<long>(lists_.pack_row.extent(0));
  pack_network_jets(lists_, shape_, ws_.output(), buffer_, 0, remote_pack_);
  stage(0, send_size_, true);
  post_sends(Direction::Jets, kJetTag);
  pack_network_jets(lists_, shape_, ws_.output(), buffer_, remote_pack_, packs);
  wait();
  stage(send_size_, send_size_ + receive_size_, false);
  sum_windowed_jets(lists_, shape_, buffer_, jets_, point_offsets_.back());
}

void WindowedSum::backward(const Kokkos::View<double*>& adjoint, const nn::Vector& gradient) {
  TESSERA_CHECK(adjoint.extent(0) == jets_.extent(0), "WindowedSum::backward: " << adjoint.extent(0)
                                                                                << " adjoints, not "
                                                                                << jets_.extent(0));
  post_receives(Direction::Adjoints, kAdjointTag);
  pull_back_adjoints(lists_, shape_, adjoint, buffer_);
  stage(send_size_, send_size_ + receive_size_, true);
  post_sends(Direction::Adjoints, kAdjointTag);
  wait();
  stage(0, send_size_, false);
  unpack_network_adjoints(lists_, shape_, buffer_, batch_adjoint_);
  nets_.backward(ws_, batch_adjoint_, gradient);
}

std::vector<std::vector<double>> WindowedSum::host_jets() const {
  auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), jets_);
  const long width = shape_.width();
  std::vector<std::vector<double>> jets;
  for (size_t l = 0; l + 1 < point_offsets_.size(); ++l)
    jets.emplace_back(host.data() + width * point_offsets_[l],
                      host.data() + width * point_offsets_[l + 1]);
  return jets;
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
  const auto jets = sum.host_jets();
  std::vector<std::vector<double>> values(points.size());
  const size_t dim = grid.dim(), streams = jet_count(grid.dim()), width = streams * sum.outputs();
  for (size_t l = 0; l < points.size(); ++l)
    for (size_t p = 0; p < points[l].size() / dim; ++p)
      values[l].push_back(jets[l][width * p + streams * output]);
  return values;
}

}  // namespace tessera::dd
