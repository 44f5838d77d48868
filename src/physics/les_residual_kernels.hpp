#pragma once
// The kernels of the LES residual (physics/les_residual.hpp), forward and adjoint: per kept mode
// the spectral operators (curl, strain, projection, Laplacian, time differences), per grid point
// the products (u × ω, the Smagorinsky stress). Mode arrays are [re/im][k][group][field] with a
// group per (sample, frame) (nn/truncated_dft's layout); point arrays [group][field][point].
// Fields per group: velocity 3 (x, y, z); point fields 12 (u 0-2, ω 3-5, S 6-11 as xx, yy, zz,
// xy, xz, yz); fluxes 9 (u × ω 0-2, τ = 2 ν_t S 3-8 in S's order); residual 7 per (sample,
// frame >= 1) (R 0-2, ∇·u 3, ∂u/∂t 4-6). The adjoints of complex-linear maps are their
// conjugates (real inner product over re and im).
#include <Kokkos_Core.hpp>

#include <cmath>

#include "core/device_math.hpp"
#include "nn/types.hpp"

namespace tessera::physics::les {

// The symmetric tensor's stored components: (a, b) of slot s, and its count among the nine.
KOKKOS_INLINE_FUNCTION int pair_first(int s) { return s < 3 ? s : (s == 5 ? 1 : 0); }
KOKKOS_INLINE_FUNCTION int pair_second(int s) { return s < 3 ? s : (s == 3 ? 1 : 2); }
KOKKOS_INLINE_FUNCTION double pair_multiplicity(int s) { return s < 3 ? 1.0 : 2.0; }

struct ModeExtent {
  long modes;   // kept modes K
  long groups;  // samples x frames
};

/// field_modes = (û, i k × û, i (k_a û_b + k_b û_a) / 2) on the band (0 outside it).
inline void band_limited_fields(const ModeExtent& e, const nn::Vector& wave,
                                const nn::Vector& weight, const nn::Vector& velocity_modes,
                                const nn::Vector& field_modes) {
  const long groups = e.groups, u_im = e.modes * groups * 3, f_im = e.modes * groups * 12;
  Kokkos::parallel_for(
      "tessera::physics::les_band_limited_fields", Kokkos::RangePolicy<>(0, e.modes * groups),
      KOKKOS_LAMBDA(const long t) {
        const long k = t / groups;
        const double in_band = weight(k) > 0 ? 1.0 : 0.0;
        const double kv[3] = {wave(3 * k), wave(3 * k + 1), wave(3 * k + 2)};
        double ur[3], ui[3];
        for (int a = 0; a < 3; ++a) {
          ur[a] = in_band * velocity_modes(t * 3 + a);
          ui[a] = in_band * velocity_modes(u_im + t * 3 + a);
        }
        double fr[12], fi[12];
        for (int a = 0; a < 3; ++a) fr[a] = ur[a], fi[a] = ui[a];
        // i (k × u): i z = (-Im z, Re z).
        for (int a = 0; a < 3; ++a) {
          const int b = (a + 1) % 3, c = (a + 2) % 3;
          const double cr = kv[b] * ur[c] - kv[c] * ur[b], ci = kv[b] * ui[c] - kv[c] * ui[b];
          fr[3 + a] = -ci;
          fi[3 + a] = cr;
        }
        for (int s = 0; s < 6; ++s) {
          const int a = pair_first(s), b = pair_second(s);
          const double sr = 0.5 * (kv[a] * ur[b] + kv[b] * ur[a]);
          const double si = 0.5 * (kv[a] * ui[b] + kv[b] * ui[a]);
          fr[6 + s] = -si;
          fi[6 + s] = sr;
        }
        for (int f = 0; f < 12; ++f) {
          field_modes(t * 12 + f) = fr[f];
          field_modes(f_im + t * 12 + f) = fi[f];
        }
      });
}

/// Adds to velocity_modes_adjoint the adjoint of band_limited_fields applied to
/// field_modes_adjoint.
inline void band_limited_fields_adjoint(const ModeExtent& e, const nn::Vector& wave,
                                        const nn::Vector& weight,
                                        const nn::Vector& field_modes_adjoint,
                                        const nn::Vector& velocity_modes_adjoint) {
  const long groups = e.groups, u_im = e.modes * groups * 3, f_im = e.modes * groups * 12;
  Kokkos::parallel_for(
      "tessera::physics::les_band_limited_fields_adjoint",
      Kokkos::RangePolicy<>(0, e.modes * groups), KOKKOS_LAMBDA(const long t) {
        const long k = t / groups;
        if (!(weight(k) > 0)) return;
        const double kv[3] = {wave(3 * k), wave(3 * k + 1), wave(3 * k + 2)};
        double fr[12], fi[12];
        for (int f = 0; f < 12; ++f) {
          fr[f] = field_modes_adjoint(t * 12 + f);
          fi[f] = field_modes_adjoint(f_im + t * 12 + f);
        }
        double ar[3], ai[3];
        for (int a = 0; a < 3; ++a) ar[a] = fr[a], ai[a] = fi[a];
        // The curl is self-adjoint: i k × ω̄.
        for (int a = 0; a < 3; ++a) {
          const int b = (a + 1) % 3, c = (a + 2) % 3;
          const double cr = kv[b] * fr[3 + c] - kv[c] * fr[3 + b];
          const double ci = kv[b] * fi[3 + c] - kv[c] * fi[3 + b];
          ar[a] += -ci;
          ai[a] += cr;
        }
        // S_ab = i (k_a u_b + k_b u_a) / 2: u_b gets -i k_a S̄_ab / 2 and u_a -i k_b S̄_ab / 2
        // (the diagonal's two halves add to -i k_a S̄_aa); -i z = (Im z, -Re z).
        for (int s = 0; s < 6; ++s) {
          const int a = pair_first(s), b = pair_second(s);
          ar[b] += 0.5 * kv[a] * fi[6 + s];
          ai[b] += -0.5 * kv[a] * fr[6 + s];
          ar[a] += 0.5 * kv[b] * fi[6 + s];
          ai[a] += -0.5 * kv[b] * fr[6 + s];
        }
        for (int a = 0; a < 3; ++a) {
          velocity_modes_adjoint(t * 3 + a) += ar[a];
          velocity_modes_adjoint(u_im + t * 3 + a) += ai[a];
        }
      });
}

/// fluxes = (u × ω, 2 (C_s Δ)² |S| S) at every point, from the point fields.
inline void subgrid_fluxes(long groups, long points, double cs_delta_squared,
                           const nn::Vector& fields, const nn::Vector& fluxes) {
  Kokkos::parallel_for(
      "tessera::physics::les_fluxes", Kokkos::RangePolicy<>(0, groups * points),
      KOKKOS_LAMBDA(const long t) {
        const long g = t / points, p = t % points;
        const long in = g * 12 * points + p, out = g * 9 * points + p;
        double u[3], w[3], s[6];
        for (int a = 0; a < 3; ++a) u[a] = fields(in + a * points);
        for (int a = 0; a < 3; ++a) w[a] = fields(in + (3 + a) * points);
        for (int c = 0; c < 6; ++c) s[c] = fields(in + (6 + c) * points);
        for (int a = 0; a < 3; ++a) {
          const int b = (a + 1) % 3, c = (a + 2) % 3;
          fluxes(out + a * points) = u[b] * w[c] - u[c] * w[b];
        }
        double norm2 = 0;
        for (int c = 0; c < 6; ++c) norm2 += 2 * pair_multiplicity(c) * s[c] * s[c];
        const double scale = 2 * cs_delta_squared * math::sqrt(norm2);
        for (int c = 0; c < 6; ++c) fluxes(out + (3 + c) * points) = scale * s[c];
      });
}

/// fields_adjoint = the adjoint of subgrid_fluxes at fields, applied to fluxes_adjoint.
inline void subgrid_fluxes_adjoint(long groups, long points, double cs_delta_squared,
                                   const nn::Vector& fields, const nn::Vector& fluxes_adjoint,
                                   const nn::Vector& fields_adjoint) {
  Kokkos::parallel_for(
      "tessera::physics::les_fluxes_adjoint", Kokkos::RangePolicy<>(0, groups * points),
      KOKKOS_LAMBDA(const long t) {
        const long g = t / points, p = t % points;
        const long in = g * 12 * points + p, out = g * 9 * points + p;
        double u[3], w[3], s[6], n[3], tau[6];
        for (int a = 0; a < 3; ++a) u[a] = fields(in + a * points);
        for (int a = 0; a < 3; ++a) w[a] = fields(in + (3 + a) * points);
        for (int c = 0; c < 6; ++c) s[c] = fields(in + (6 + c) * points);
        for (int a = 0; a < 3; ++a) n[a] = fluxes_adjoint(out + a * points);
        for (int c = 0; c < 6; ++c) tau[c] = fluxes_adjoint(out + (3 + c) * points);
        // N = u × ω: ū = ω × N̄, ω̄ = N̄ × u.
        for (int a = 0; a < 3; ++a) {
          const int b = (a + 1) % 3, c = (a + 2) % 3;
          fields_adjoint(in + a * points) = w[b] * n[c] - w[c] * n[b];
          fields_adjoint(in + (3 + a) * points) = n[b] * u[c] - n[c] * u[b];
        }
        // τ_s = 2 c |S| S_s, |S|² = Σ_s 2 m_s S_s²: S̄_s = 2 c (|S| τ̄_s + 2 m_s S_s (τ̄·S) / |S|).
        double norm2 = 0, tau_s = 0;
        for (int c = 0; c < 6; ++c) {
          norm2 += 2 * pair_multiplicity(c) * s[c] * s[c];
          tau_s += tau[c] * s[c];
        }
        const double norm = math::sqrt(norm2);
        const double ratio = norm > 0 ? tau_s / norm : 0.0;
        for (int c = 0; c < 6; ++c)
          fields_adjoint(in + (6 + c) * points) =
              2 * cs_delta_squared * (norm * tau[c] + 2 * pair_multiplicity(c) * s[c] * ratio);
      });
}

struct ResidualShape {
  long modes, samples, frames;
  double dt, viscosity;
  long groups() const { return samples * frames; }
  long residual_groups() const { return samples * (frames - 1); }  // frames 1..F-1
  // Offsets of the imaginary blocks of the velocity's, the fluxes' and the residual's modes.
  long velocity_imag() const { return modes * groups() * 3; }
  long flux_imag() const { return modes * groups() * 9; }
  long residual_imag() const { return modes * residual_groups() * 7; }
};

/// Removes from (re, im) its component along k (|k|² = k2; nothing at k = 0): the Leray
/// projector of one mode, real and symmetric.
KOKKOS_INLINE_FUNCTION void leray_project(const double* k, double k2, double* re, double* im) {
  if (!(k2 > 0)) return;
  const double dr = (k[0] * re[0] + k[1] * re[1] + k[2] * re[2]) / k2;
  const double di = (k[0] * im[0] + k[1] * im[1] + k[2] * im[2]) / k2;
  for (int a = 0; a < 3; ++a) re[a] -= k[a] * dr, im[a] -= k[a] * di;
}

/// The residual's modes, per (sample, frame j >= 1): R = D_t u - P[N + i k_b τ_ab] + ν |k|² u,
/// ∇·u = i k·u and D_t u, all on the band (0 outside it).
inline void residual_modes(const ResidualShape& r, const nn::Vector& wave, const nn::Vector& weight,
                           const nn::Vector& velocity_modes, const nn::Vector& flux_modes,
                           const nn::Vector& residual) {
  const long frames = r.frames, groups = r.groups(), out_groups = r.residual_groups();
  const long u_im = r.velocity_imag(), f_im = r.flux_imag(), r_im = r.residual_imag();
  const double half_over_dt = 0.5 / r.dt, nu = r.viscosity;
  Kokkos::parallel_for(
      "tessera::physics::les_residual_modes", Kokkos::RangePolicy<>(0, r.modes * out_groups),
      KOKKOS_LAMBDA(const long t) {
        const long k = t / out_groups, rest = t % out_groups;
        const long sample = rest / (frames - 1), j = rest % (frames - 1) + 1;
        const bool in_band = weight(k) > 0;
        const double kv[3] = {wave(3 * k), wave(3 * k + 1), wave(3 * k + 2)};
        const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
        auto u = [&](long frame, int a, bool imag) {
          return velocity_modes((imag ? u_im : 0) +
                                ((k * groups + sample * frames + frame) * 3 + a));
        };
        const long fg = (k * groups + sample * frames + j) * 9;
        double out_r[7] = {0, 0, 0, 0, 0, 0, 0}, out_i[7] = {0, 0, 0, 0, 0, 0, 0};
        if (in_band) {
          double gr[3], gi[3];
          for (int a = 0; a < 3; ++a) {
            gr[a] = flux_modes(fg + a);
            gi[a] = flux_modes(f_im + fg + a);
          }
          for (int s = 0; s < 6; ++s) {  // + i k_b τ_ab (and i k_a τ_ab into b)
            const int a = pair_first(s), b = pair_second(s);
            const double tr = flux_modes(fg + 3 + s), ti = flux_modes(f_im + fg + 3 + s);
            gr[a] += -kv[b] * ti;
            gi[a] += kv[b] * tr;
            if (a != b) {
              gr[b] += -kv[a] * ti;
              gi[b] += kv[a] * tr;
            }
          }
          leray_project(kv, k2, gr, gi);
          const bool last = j == frames - 1;
          for (int a = 0; a < 3; ++a) {
            for (int im = 0; im < 2; ++im) {
              const double dtu =
                  last ? half_over_dt * (3 * u(j, a, im) - 4 * u(j - 1, a, im) + u(j - 2, a, im))
                       : half_over_dt * (u(j + 1, a, im) - u(j - 1, a, im));
              const double g = im ? gi[a] : gr[a];
              double& res = im ? out_i[a] : out_r[a];
              res = dtu - g + nu * k2 * u(j, a, im);
              (im ? out_i : out_r)[4 + a] = dtu;
            }
          }
          // ∇·u = i k·u.
          double sr = 0, si = 0;
          for (int a = 0; a < 3; ++a) sr += kv[a] * u(j, a, false), si += kv[a] * u(j, a, true);
          out_r[3] = -si;
          out_i[3] = sr;
        }
        for (int c = 0; c < 7; ++c) {
          residual(t * 7 + c) = out_r[c];
          residual(r_im + t * 7 + c) = out_i[c];
        }
      });
}

/// Σ_k weight(k) |residual field c|² over modes, samples and frames, for c in [first, first +
/// count): the unnormalised mean squares.
inline double residual_sum_of_squares(long modes, long out_groups, const nn::Vector& weight,
                                      const nn::Vector& residual, int first, int count) {
  const long r_im = modes * out_groups * 7;
  double sum = 0;
  Kokkos::parallel_reduce(
      "tessera::physics::les_residual_sum", Kokkos::RangePolicy<>(0, modes * out_groups),
      KOKKOS_LAMBDA(const long t, double& acc) {
        const double w = weight(t / out_groups);
        for (int c = first; c < first + count; ++c) {
          const double re = residual(t * 7 + c), im = residual(r_im + t * 7 + c);
          acc += w * (re * re + im * im);
        }
      },
      sum);
  return sum;
}

/// The seeds of the backward pass, from the residual's modes: with R̄ = momentum_scale w R and
/// D̄ = divergence_scale w ∇·u (the loss's derivatives), the fluxes' mode adjoints
/// Ḡ = -P R̄ (N̄ = Ḡ, τ̄_ab = -i (k_b Ḡ_a + k_a Ḡ_b), once on the diagonal) and the velocity's
/// direct ones: the time differences' transposes, ν |k|² R̄, -i k D̄. Overwrites both.
inline void residual_adjoint(const ResidualShape& r, const nn::Vector& wave,
                             const nn::Vector& weight, double momentum_scale,
                             double divergence_scale, const nn::Vector& residual,
                             const nn::Vector& flux_modes_adjoint,
                             const nn::Vector& velocity_modes_adjoint) {
  const long frames = r.frames, groups = r.groups(), out_groups = r.residual_groups();
  const long u_im = r.velocity_imag(), f_im = r.flux_imag(), r_im = r.residual_imag();
  const double half_over_dt = 0.5 / r.dt, nu = r.viscosity;
  Kokkos::parallel_for(
      "tessera::physics::les_residual_adjoint", Kokkos::RangePolicy<>(0, r.modes * groups),
      KOKKOS_LAMBDA(const long t) {
        const long k = t / groups, rest = t % groups;
        const long sample = rest / frames, j = rest % frames;
        const double w = weight(k);
        const double kv[3] = {wave(3 * k), wave(3 * k + 1), wave(3 * k + 2)};
        const double k2 = kv[0] * kv[0] + kv[1] * kv[1] + kv[2] * kv[2];
        // R̄ (c < 3) and D̄ (c = 3) of frame i >= 1 of this sample.
        auto bar = [&](long frame, int c, int im) {
          const long index = (k * out_groups + sample * (frames - 1) + frame - 1) * 7 + c;
          const double scale = c < 3 ? momentum_scale : divergence_scale;
          return scale * w * residual((im ? r_im : 0) + index);
        };
        double ur[3] = {0, 0, 0}, ui[3] = {0, 0, 0}, gr[3] = {0, 0, 0}, gi[3] = {0, 0, 0};
        if (w > 0) {
          // Frame j's part in the time differences of frames i: central at 1 <= i <= F-2
          // (j = i ± 1), backward at F-1 (j = F-1, F-2, F-3).
          for (int a = 0; a < 3; ++a)
            for (int im = 0; im < 2; ++im) {
              double sum = 0;
              if (j + 1 <= frames - 2 && j + 1 >= 1) sum -= bar(j + 1, a, im);
              if (j - 1 >= 1 && j - 1 <= frames - 2) sum += bar(j - 1, a, im);
              const long f = frames - 1;
              if (j == f) sum += 3 * bar(f, a, im);
              if (j == f - 1) sum -= 4 * bar(f, a, im);
              if (j == f - 2 && f - 2 >= 0) sum += bar(f, a, im);
              (im ? ui : ur)[a] = half_over_dt * sum;
            }
          if (j >= 1) {
            for (int a = 0; a < 3; ++a) {
              ur[a] += nu * k2 * bar(j, a, 0);
              ui[a] += nu * k2 * bar(j, a, 1);
              gr[a] = -bar(j, a, 0);
              gi[a] = -bar(j, a, 1);
            }
            leray_project(kv, k2, gr, gi);
            // ∇·u = i k·u: ū_a += -i k_a D̄.
            const double dr = bar(j, 3, 0), di = bar(j, 3, 1);
            for (int a = 0; a < 3; ++a) ur[a] += kv[a] * di, ui[a] += -kv[a] * dr;
          }
        }
        const long ug = (k * groups + sample * frames + j) * 3;
        for (int a = 0; a < 3; ++a) {
          velocity_modes_adjoint(ug + a) = ur[a];
          velocity_modes_adjoint(u_im + ug + a) = ui[a];
        }
        const long fg = (k * groups + sample * frames + j) * 9;
        for (int a = 0; a < 3; ++a) {
          flux_modes_adjoint(fg + a) = gr[a];
          flux_modes_adjoint(f_im + fg + a) = gi[a];
        }
        // -i z = (Im z, -Re z).
        for (int s = 0; s < 6; ++s) {
          const int a = pair_first(s), b = pair_second(s);
          double tr = kv[b] * gi[a], ti = -kv[b] * gr[a];
          if (a != b) tr += kv[a] * gi[b], ti += -kv[a] * gr[b];
          flux_modes_adjoint(fg + 3 + s) = tr;
          flux_modes_adjoint(f_im + fg + 3 + s) = ti;
        }
      });
}

}  // namespace tessera::physics::les
