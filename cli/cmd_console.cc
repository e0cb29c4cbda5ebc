// vklab console [--lab LAB] GUEST: the guest's console through labd, in a
// raw terminal, recent output first; Ctrl-] detaches. The terminal's
// window size is the guest's (sent on attach, and again on SIGWINCH).
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>

#include <iostream>

#include "cli/cli.h"
#include "labd/control.h"
#include "labd/state.h"

namespace vklab::cli {
namespace {

constexpr char kDetach = 0x1d;  // Ctrl-]

volatile std::sig_atomic_t g_resized = 0;
void on_winch(int) { g_resized = 1; }

/// The terminal's size (stdin's, else stdout's); rows = cols = 0 unknown.
labd::ConsoleRequest with_window_size(labd::ConsoleRequest r) {
  winsize ws{};
  if (::ioctl(0, TIOCGWINSZ, &ws) == 0 || ::ioctl(1, TIOCGWINSZ, &ws) == 0) {
    r.rows = ws.ws_row;
    r.cols = ws.ws_col;
  }
  return r;
}

/// Tells labd the terminal's new size, on a connection of its own (the
/// console's carries raw bytes only). Best effort.
void send_resize(const std::string& control, const std::string& guest) {
  labd::ConsoleRequest r = with_window_size(labd::ConsoleRequest{guest});
  if (r.rows == 0 || r.cols == 0) return;
  r.resize = true;
  auto c = labd::ControlClient::connect(control);
  if (!c || !c->send(r)) return;
  (void)c->receive(std::chrono::seconds(2));
}

/// Raw mode for the life of the object, when stdin is a terminal.
class RawTerminal {
 public:
  RawTerminal() {
    if (!::isatty(0) || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

Runner setup_console(CLI::App& sub) {
  struct Opts {
    std::string lab, guest;
  };
  auto o = std::make_shared<Opts>();
  sub.add_option("--lab", o->lab, kLabArgHelp);
  sub.add_option("guest", o->guest, "guest name")->required();
  return [o] {
    int exit = kExitOk;
    auto running = open_running_lab(o->lab, exit, kExitFailure, o->guest);
    if (!running) return exit;
    const std::string& lab = running->name;
    const labd::StateDir& dir = running->dir;
    auto c = labd::ControlClient::connect(dir.control());
    if (!c) {
      std::cerr << "vklab: " << lab << ": " << c.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    struct sigaction sa {};
    sa.sa_handler = on_winch;  // no SA_RESTART: poll() returns EINTR
    ::sigaction(SIGWINCH, &sa, nullptr);
    if (Status s = c->send(with_window_size(labd::ConsoleRequest{o->guest})); !s) {
      std::cerr << "vklab: " << s.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    auto r = c->receive(std::chrono::seconds(5));
    if (!r) {
      std::cerr << "vklab: " << r.error().message << "\n";
      return static_cast<int>(kExitFailure);
    }
    if (auto* e = std::get_if<labd::ErrorReply>(&*r)) {
      std::cerr << "vklab: " << e->error << "\n";
      return static_cast<int>(kExitFailure);
    }
    std::cerr << o->guest << ": console attached; Ctrl-] detaches\r\n";
    std::string early = c->take_rest();
    (void)labd::write_all(1, early);
    {
      RawTerminal raw;
      pollfd fds[2] = {{0, POLLIN, 0}, {c->fd(), POLLIN, 0}};
      bool in_open = true;
      for (;;) {
        int rc = ::poll(fds, 2, -1);
        if (g_resized) {
          g_resized = 0;
          send_resize(dir.control(), o->guest);
        }
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) break;
        char buf[4096];
        if (fds[1].revents) {
          ssize_t n = ::read(c->fd(), buf, sizeof buf);
          if (n <= 0) break;
          (void)labd::write_all(1, std::string_view(buf, static_cast<size_t>(n)));
        }
        if (in_open && fds[0].revents) {
          ssize_t n = ::read(0, buf, sizeof buf);
          if (n <= 0) {
            in_open = false;
            fds[0].fd = -1;
            continue;
          }
          std::string_view data(buf, static_cast<size_t>(n));
          size_t cut = data.find(kDetach);
          if (cut != std::string_view::npos) {
            (void)labd::write_all(c->fd(), data.substr(0, cut));
            break;
          }
          (void)labd::write_all(c->fd(), data);
        }
      }
    }
    std::cerr << "\n" << o->guest << ": console detached\n";
    return static_cast<int>(kExitOk);
  };
}

}  // namespace vklab::cli
