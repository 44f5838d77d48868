#pragma once
// The learners of run: pinn (-pinn_learner single | xpinn | fbpinn): what a run asks of the
// trained solution whatever the learner: its values at the comparison points, its size, what it
// adds to the result file, the summary and the first log line. How each one trains differs (one
// network on the problem's own point sets, run/single_learner.hpp; one network per subdomain on
// points drawn in each subdomain, run/subdomain_learner.hpp).
#include <string>
#include <vector>

namespace tessera::io {
class FieldFile;
}

namespace tessera::run {

/// Points as one coordinate list per network input, all of the same length.
using Coordinates = std::vector<std::vector<double>>;

class Learner {
public:
  virtual ~Learner() = default;

  /// Output `output` of the trained solution at this rank's points. Collective over the run's
  /// communicator (the FBPINN's windowed sum exchanges neighbour jets).
  virtual std::vector<double> sample(const Coordinates& points, int output = 0) = 0;
  /// Parameters of every network together.
  virtual long parameter_count() const = 0;
  /// Collective over the file's communicator, after training: the learner's own tables and
  /// attributes (nothing for one network).
  virtual void write(io::FieldFile& file) const = 0;
  /// The lines the run's summary adds, after training (none for one network).
  virtual std::string summary() const = 0;
  /// What a run's first log line says of the learner: "2 rank(s)", "XPINN on 2 x 2 subdomains, …".
  virtual std::string headline() const = 0;
};

}  // namespace tessera::run
