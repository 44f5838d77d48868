#include "physics/darcy.hpp"

#include <string>

#include "core/error.hpp"
#include "core/options.hpp"

namespace tessera::physics {

namespace {

// SplitMix64's finaliser: a bijective mix whose outputs for consecutive inputs are independent
// enough for Monte Carlo sampling, and cheap to compute from a counter.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A uniform number in (0, 1) from the top 53 bits, never 0 (Box-Muller takes its logarithm).
double open_uniform(std::uint64_t bits) { return ((bits >> 11) + 0.5) * 0x1.0p-53; }

}  // namespace

double counter_normal(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  const std::uint64_t key = mix(mix(mix(seed) ^ stream) ^ index);
  const double u1 = open_uniform(mix(key));
  const double u2 = open_uniform(mix(key ^ 0x5851f42d4c957f2dULL));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

PermeabilityFieldConfig PermeabilityFieldConfig::from_options(Options& options, int grid_points) {
  PermeabilityFieldConfig c;
  const std::string family = options.choice(
      "darcy_family", "lognormal", {"lognormal", "threshold"},
      "coefficient: lognormal a = exp(g), or threshold (the FNO paper's: a = high where g >= 0, "
      "low where g < 0, g ~ N(0, (-Laplacian + tau^2)^-alpha))");
  const bool threshold = family == "threshold";
  if (threshold) c.family = PermeabilityFamily::threshold;
  c.modes = options.integer("darcy_modes", threshold ? grid_points : c.modes, 2, 8192,
                            "K: cosine modes per direction of g (default: 8 for lognormal, the "
                            "grid's points for threshold)");
  c.log_std = options.real("darcy_log_std", c.log_std, 0.0, 5.0,
                           "lognormal: sigma, bound on the pointwise standard deviation of log a");
  c.decay = options.real("darcy_decay", c.decay, 0.0, 10.0,
                         "lognormal: alpha, mode amplitudes decay as (1 + k^2 + l^2)^(-alpha/2)");
  c.correlation = options.real(
      "darcy_correlation", threshold ? 0.0 : c.correlation, 0.0, 0.9999,
      "rho: correlation of consecutive samples' fields (0: independent; default 0.98 for "
      "lognormal, 0 for threshold)");
  c.seed = static_cast<std::uint64_t>(options.integer("darcy_seed", static_cast<int>(c.seed), 0,
                                                      2147483647, "seed of the random fields"));
  c.grf_alpha = options.real("darcy_grf_alpha", c.grf_alpha, 0.5, 10.0,
                             "threshold: alpha of the covariance (-Laplacian + tau^2 I)^(-alpha)");
  c.grf_tau = options.real("darcy_grf_tau", c.grf_tau, 0.0, 1000.0,
                           "threshold: tau of the covariance (-Laplacian + tau^2 I)^(-alpha)");
  c.threshold_low = options.real("darcy_threshold_low", c.threshold_low, 1e-12, 1e12,
                                 "threshold: a where g < 0 (the paper's 3; released script 4)");
  c.threshold_high = options.real("darcy_threshold_high", c.threshold_high, 1e-12, 1e12,
                                  "threshold: a where g >= 0");
  return c;
}

const char* PermeabilityFieldConfig::family_name() const {
  return family == PermeabilityFamily::threshold ? "threshold" : "lognormal";
}

PermeabilitySequence::PermeabilitySequence(const PermeabilityFieldConfig& config)
    : config_(config), modes_(config.modes) {
  TESSERA_CHECK(modes_ >= 1, "PermeabilitySequence: needs at least one mode, got " << modes_);
  amplitude_.assign(static_cast<size_t>(modes_) * modes_, 0.0);
  xi_.assign(amplitude_.size(), 0.0);
  if (config.family == PermeabilityFamily::threshold) {
    // The Karhunen–Loève amplitudes: square roots of the covariance's eigenvalues
    // τ^(2α-2) (π²|k|² + τ²)^(-α) times the L² normalisation √2 of each non-constant cosine.
    for (int k = 0; k < modes_; ++k)
      for (int l = 0; l < modes_; ++l) {
        if (k == 0 && l == 0) continue;  // the published script's zero-mean field
        const double normalisation =
            (k > 0 ? std::sqrt(2.0) : 1.0) * (l > 0 ? std::sqrt(2.0) : 1.0);
        amplitude_[k * modes_ + l] =
            normalisation *
            random_field_amplitude(M_PI * M_PI * (k * k + l * l), config.grf_alpha, config.grf_tau);
      }
    return;
  }
  double sum = 0;
  for (int k = 0; k < modes_; ++k)
    for (int l = 0; l < modes_; ++l) {
      if (k == 0 && l == 0) continue;  // a constant shift of g only rescales a
      const double lambda = std::pow(1.0 + k * k + l * l, -0.5 * config.decay);
      amplitude_[k * modes_ + l] = lambda;
      sum += lambda * lambda;
    }
  for (double& a : amplitude_) a *= config.log_std / std::sqrt(sum);
}

void PermeabilitySequence::advance_to(int sample) {
  TESSERA_CHECK(sample >= sample_ && sample >= 0,
                "PermeabilitySequence: cannot go back from sample " << sample_ << " to " << sample);
  const double rho = config_.correlation, fresh = std::sqrt(1.0 - rho * rho);
  // Independent samples: sample s is drawn alone (the recursion below would give the same ξ).
  if (rho == 0 && sample > sample_) sample_ = sample - 1;
  for (; sample_ < sample;) {
    ++sample_;
    for (size_t m = 0; m < xi_.size(); ++m) {
      const double eta = counter_normal(config_.seed, static_cast<std::uint64_t>(sample_), m);
      xi_[m] = sample_ == 0 ? eta : rho * xi_[m] + fresh * eta;
    }
  }
}

double PermeabilitySequence::log_permeability(double x, double y) const {
  double g = 0;
  for (int k = 0; k < modes_; ++k)
    for (int l = 0; l < modes_; ++l)
      g += amplitude(k, l) * xi_[k * modes_ + l] * std::cos(k * M_PI * x) * std::cos(l * M_PI * y);
  return g;
}

std::vector<double> PermeabilitySequence::tabulate(int i0, int ni, int j0, int nj, double h) const {
  TESSERA_CHECK(sample_ >= 0, "PermeabilitySequence: tabulate before advance_to(0)");
  // row[k][i] = Σ_l amplitude ξ cos(lπy_j) is rebuilt per j; cos tables are built once.
  std::vector<double> cos_x(static_cast<size_t>(modes_) * ni),
      cos_y(static_cast<size_t>(modes_) * nj);
  for (int k = 0; k < modes_; ++k) {
    for (int i = 0; i < ni; ++i) cos_x[k * ni + i] = std::cos(k * M_PI * (i0 + i) * h);
    for (int j = 0; j < nj; ++j) cos_y[k * nj + j] = std::cos(k * M_PI * (j0 + j) * h);
  }
  std::vector<double> values(static_cast<size_t>(ni) * nj, 0.0);
  std::vector<double> weight(modes_);
  for (int j = 0; j < nj; ++j) {
    for (int k = 0; k < modes_; ++k) {
      weight[k] = 0;
      for (int l = 0; l < modes_; ++l)
        weight[k] += amplitude(k, l) * xi_[k * modes_ + l] * cos_y[l * nj + j];
    }
    for (int i = 0; i < ni; ++i) {
      double g = 0;
      for (int k = 0; k < modes_; ++k) g += weight[k] * cos_x[k * ni + i];
      values[static_cast<size_t>(j) * ni + i] = coefficient(g);
    }
  }
  return values;
}

}  // namespace tessera::physics
