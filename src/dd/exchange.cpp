#include "dd/exchange.hpp"

#include <algorithm>
#include <climits>
#include <map>
#include <tuple>

#include "core/error.hpp"
#include "core/profiling.hpp"
#include "nn/types.hpp"

namespace tessera::dd {

namespace {

struct SharedFace {
  FaceKey key;
  int local, face;
};

}  // namespace

InterfaceExchange::InterfaceExchange(const SubdomainGrid& grid, const FaceCounts& counts,
                                     int values_per_point)
    : values_per_point_(values_per_point) {
  const auto& owned = grid.owned();
  TESSERA_CHECK(values_per_point >= 1,
                "InterfaceExchange: " << values_per_point << " values per point; need >= 1");
  TESSERA_CHECK(counts.size() == owned.size(),
                "InterfaceExchange: point counts for "
                    << counts.size() << " subdomains, but this rank owns " << owned.size());
  std::map<int, std::vector<SharedFace>> remote;  // by neighbour rank, so peers come out sorted
  std::vector<SharedFace> local;
  for (int l = 0; l < static_cast<int>(owned.size()); ++l) {
    for (int f = 0; f < kMaxFaces; ++f) {
      const bool shared = f < grid.face_count() && grid.neighbour(owned[l], f).exists();
      TESSERA_CHECK(shared ? counts[l][f] >= 1 : counts[l][f] == 0,
                    "InterfaceExchange: face "
                        << face_name(f) << " of subdomain " << owned[l] << " has " << counts[l][f]
                        << " points; a "
                        << (shared ? "shared face needs >= 1" : "boundary face needs 0"));
      if (!shared) continue;
      const Neighbour n = grid.neighbour(owned[l], f);
      const SharedFace s{face_key(grid, owned[l], f), l, f};
      if (n.rank == grid.rank())
        local.push_back(s);
      else
        remote[n.rank].push_back(s);
    }
  }

  // Both buffers share one layout: per peer rank a contiguous block whose faces follow the
  // FaceKey order, which the peer computes identically for its side of the same faces.
  slots_.assign(owned.size(), {});
  long offset = 0;
  auto place = [&](const SharedFace& s) {
    slots_[s.local][s.face] = {offset, counts[s.local][s.face]};
    offset += counts[s.local][s.face] * values_per_point;
  };
  std::vector<std::vector<long>> layouts;  // per peer: (lower, axis, count) per face, to check
  for (auto& [rank, faces] : remote) {
    std::sort(faces.begin(), faces.end(),
              [](const SharedFace& a, const SharedFace& b) { return a.key < b.key; });
    const long start = offset;
    layouts.emplace_back();
    for (const auto& s : faces) {
      place(s);
      layouts.back().insert(layouts.back().end(),
                            {s.key.lower, s.key.axis, counts[s.local][s.face]});
    }
    TESSERA_CHECK(offset - start <= INT_MAX, "InterfaceExchange: " << offset - start
                                                                   << " values for rank " << rank
                                                                   << " exceed one MPI message");
    peers_.push_back({rank, start, offset - start});
    bytes_per_exchange_ += (offset - start) * static_cast<long>(sizeof(double));
  }
  remote_size_ = offset;
  for (const auto& s : local) place(s);
  std::vector<long> copy_from, copy_to;
  for (const auto& s : local) {
    const int other = grid.local_index(grid.neighbour(grid.owned()[s.local], s.face).id);
    const Slot from = slots_[other][opposite_face(s.face)], to = slots_[s.local][s.face];
    TESSERA_CHECK(from.count == to.count, "InterfaceExchange: the two sides of the face (subdomain "
                                              << s.key.lower << ", axis " << s.key.axis << ") have "
                                              << from.count << " and " << to.count << " points");
    for (long v = 0; v < to.count * values_per_point; ++v) {
      copy_from.push_back(from.offset + v);
      copy_to.push_back(to.offset + v);
    }
  }
  copy_from_ = nn::to_device("tessera::dd::exchange_copy_from", copy_from);
  copy_to_ = nn::to_device("tessera::dd::exchange_copy_to", copy_to);
  send_ = Kokkos::View<double*>("tessera::dd::exchange_send", offset);
  receive_ = Kokkos::View<double*>("tessera::dd::exchange_receive", offset);
  send_host_ = Kokkos::create_mirror_view(send_);
  receive_host_ = Kokkos::create_mirror_view(receive_);

  TESSERA_MPI_CALL(MPI_Comm_dup(grid.comm(), &comm_));
  try {
    check_peer_counts(layouts);
  } catch (...) {
    MPI_Comm_free(&comm_);
    throw;
  }
}

void InterfaceExchange::check_peer_counts(const std::vector<std::vector<long>>& layouts) const {
  // Lengths first, so a mismatch is reported here rather than as a truncated receive.
  const size_t n = peers_.size();
  std::vector<long> their_length(n), my_length(n);
  std::vector<std::vector<long>> theirs(n);
  std::vector<MPI_Request> requests(2 * n);
  for (size_t p = 0; p < n; ++p) {
    my_length[p] = static_cast<long>(layouts[p].size());
    TESSERA_MPI_CALL(
        MPI_Irecv(&their_length[p], 1, MPI_LONG, peers_[p].rank, 0, comm_, &requests[p]));
    TESSERA_MPI_CALL(
        MPI_Isend(&my_length[p], 1, MPI_LONG, peers_[p].rank, 0, comm_, &requests[n + p]));
  }
  TESSERA_MPI_CALL(MPI_Waitall(static_cast<int>(2 * n), requests.data(), MPI_STATUSES_IGNORE));
  for (size_t p = 0; p < n; ++p) {
    TESSERA_CHECK(their_length[p] == my_length[p],
                  "InterfaceExchange: rank " << peers_[p].rank << " shares " << their_length[p] / 3
                                             << " faces with this rank, "
                                             << "which counts " << my_length[p] / 3);
    theirs[p].resize(their_length[p]);
    TESSERA_MPI_CALL(MPI_Irecv(theirs[p].data(), static_cast<int>(their_length[p]), MPI_LONG,
                               peers_[p].rank, 1, comm_, &requests[p]));
    TESSERA_MPI_CALL(MPI_Isend(layouts[p].data(), static_cast<int>(my_length[p]), MPI_LONG,
                               peers_[p].rank, 1, comm_, &requests[n + p]));
  }
  TESSERA_MPI_CALL(MPI_Waitall(static_cast<int>(2 * n), requests.data(), MPI_STATUSES_IGNORE));
  for (size_t p = 0; p < n; ++p) {
    for (size_t i = 0; i < layouts[p].size(); i += 3) {
      TESSERA_CHECK(
          std::equal(layouts[p].begin() + i, layouts[p].begin() + i + 3, theirs[p].begin() + i),
          "InterfaceExchange: face "
              << i / 3 << " shared with rank " << peers_[p].rank << " is (subdomain "
              << layouts[p][i] << ", axis " << layouts[p][i + 1] << ", " << layouts[p][i + 2]
              << " points) here but (subdomain " << theirs[p][i] << ", axis " << theirs[p][i + 1]
              << ", " << theirs[p][i + 2] << " points) there");
    }
  }
}

InterfaceExchange::~InterfaceExchange() {
  // No throwing here: a pending exchange is completed so MPI does not write into freed buffers.
  if (in_flight_)
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

InterfaceExchange::Slot InterfaceExchange::slot(int local, int face) const {
  TESSERA_CHECK(
      local >= 0 && local < static_cast<int>(slots_.size()) && face >= 0 && face < kMaxFaces,
      "InterfaceExchange: no face " << face << " of local subdomain " << local);
  return slots_[local][face];
}

void InterfaceExchange::begin() {
  ProfilingRegion region(Phase::Exchange);
  TESSERA_CHECK(!in_flight_, "InterfaceExchange: begin() called twice without end()");
  requests_.assign(2 * peers_.size(), MPI_REQUEST_NULL);
  const auto remote = std::make_pair(0L, remote_size_);
  if (remote_size_ > 0)
    Kokkos::deep_copy(Kokkos::subview(send_host_, remote), Kokkos::subview(send_, remote));
  // Receives first, so messages can land in place rather than in MPI's unexpected queue.
  for (size_t p = 0; p < peers_.size(); ++p)
    TESSERA_MPI_CALL(MPI_Irecv(receive_host_.data() + peers_[p].offset,
                               static_cast<int>(peers_[p].size), MPI_DOUBLE, peers_[p].rank, 0,
                               comm_, &requests_[p]));
  for (size_t p = 0; p < peers_.size(); ++p)
    TESSERA_MPI_CALL(MPI_Isend(send_host_.data() + peers_[p].offset,
                               static_cast<int>(peers_[p].size), MPI_DOUBLE, peers_[p].rank, 0,
                               comm_, &requests_[peers_.size() + p]));
  in_flight_ = true;
  if (copy_from_.extent(0) > 0) {
    const auto from = copy_from_, to = copy_to_;
    const auto send = send_, receive = receive_;
    Kokkos::parallel_for(
        "tessera::dd::exchange_same_rank", Kokkos::RangePolicy<>(0, from.extent(0)),
        KOKKOS_LAMBDA(const long v) { receive(to(v)) = send(from(v)); });
  }
  bytes_sent_ += bytes_per_exchange_;
  ++exchanges_;
}

void InterfaceExchange::end() {
  ProfilingRegion region(Phase::Exchange);
  TESSERA_CHECK(in_flight_, "InterfaceExchange: end() called without begin()");
  in_flight_ = false;
  TESSERA_MPI_CALL(
      MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE));
  const auto remote = std::make_pair(0L, remote_size_);
  if (remote_size_ > 0)
    Kokkos::deep_copy(Kokkos::subview(receive_, remote), Kokkos::subview(receive_host_, remote));
}

}  // namespace tessera::dd
