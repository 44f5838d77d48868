#include "core/stop_request.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/error.hpp"
#include "core/timer.hpp"

namespace tessera {

namespace {

// Written only by the handler (async-signal-safe: it stores one value), read at safe points.
volatile std::sig_atomic_t received_signal = 0;

extern "C" void on_stop_signal(int signal) { received_signal = signal; }

// The wall-clock interval as rank 0 measures it; other ranks learn its verdict through the poll.
double interval_seconds = 0;
Timer interval_clock;

constexpr int kStopBit = 1, kCheckpointBit = 2;

// Fault-injection tests only (tests/regression/fault_injection.sh): TESSERA_SAFE_POINT_DELAY
// seconds of sleep at every safe point, so that a signal sent after a progress line lands before
// the run ends however fast the machine (mpirun forwards output and signals with a lag of up to
// half a second, while CI's CPU ran 120 FBPINN iterations in 0.1 s). It changes no number.
double safe_point_delay() {
  static const double delay = [] {
    const char* text = std::getenv("TESSERA_SAFE_POINT_DELAY");
    if (text == nullptr || *text == '\0') return 0.0;
    char* end = nullptr;
    const double seconds = std::strtod(text, &end);
    TESSERA_CHECK(*end == '\0' && seconds >= 0 && seconds <= 10,
                  "TESSERA_SAFE_POINT_DELAY='" << text << "': expected seconds in [0, 10]");
    return seconds;
  }();
  return delay;
}

std::string signal_name(int signal) {
  return signal == SIGTERM ? "SIGTERM" : signal == SIGUSR1 ? "SIGUSR1" : std::to_string(signal);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // Restart interrupted system calls: a signal must not turn a write or an MPI wait into an error.
  action.sa_flags = SA_RESTART;
  for (const int signal : {SIGTERM, SIGUSR1})
    TESSERA_CHECK(sigaction(signal, &action, nullptr) == 0,
                  "sigaction(" << signal_name(signal) << "): " << std::strerror(errno));
}

void set_checkpoint_interval(double seconds) {
  interval_seconds = seconds;
  interval_clock.restart();
}

int stop_signal() { return received_signal; }

SafePoint poll_safe_point(MPI_Comm comm) {
  int rank = 0;
  TESSERA_MPI_CALL(MPI_Comm_rank(comm, &rank));
  int bits = received_signal != 0 ? kStopBit : 0;
  if (rank == 0 && interval_seconds > 0 && interval_clock.seconds() >= interval_seconds)
    bits |= kCheckpointBit;
  TESSERA_MPI_CALL(MPI_Allreduce(MPI_IN_PLACE, &bits, 1, MPI_INT, MPI_BOR, comm));
  SafePoint point;
  point.stop = (bits & kStopBit) != 0;
  point.checkpoint = (bits & kCheckpointBit) != 0;
  if (point.checkpoint) interval_clock.restart();
  // After the poll: a signal sent after the line printed just before it lands at a later point.
  if (const double delay = safe_point_delay(); delay > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  return point;
}

Stopped::Stopped(const std::string& where, const std::string& resume)
    : std::runtime_error(
          "stopped by " +
          (received_signal ? signal_name(received_signal) : std::string("a signal")) + " at " +
          where +
          (resume.empty() ? "; this run keeps no checkpoint: rerun it" : "; checkpoint " + resume)),
      saved_(!resume.empty()) {}

std::string resume_text(const std::string& checkpoint_path, const std::string& restart_option) {
  return checkpoint_path + "; continue with -" + restart_option + " latest";
}

}  // namespace tessera
