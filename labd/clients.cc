// Control clients (status, down, console requests) and the console relay:
// each guest's pty to its log, its replay ring and its console clients.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "labd/daemon_impl.h"
#include "labd/launch.h"
#include "labd/links.h"
#include "vkernel/ready.h"

namespace vklab::labd {
namespace {

/// Recent console output kept for a console client's replay.
constexpr size_t kConsoleRing = 64 * 1024;

}  // namespace

void Daemon::on_accept() {
  for (;;) {
    auto fd = accept_client(listen_);
    if (!fd) {
      std::cerr << "labd: " << fd.error().message << "\n";
      continue;
    }
    if (*fd < 0) return;
    Client c;
    c.fd = *fd;
    clients_.push_back(std::move(c));
  }
}

void Daemon::handle_request(Client& c, const std::string& line) {
  auto req = decode_request(line);
  if (!req) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{req.error().message}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (std::holds_alternative<StatusRequest>(*req)) {
    (void)write_all(c.fd, encode(Reply{StatusReply{st_}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
  } else if (auto* d = std::get_if<DownRequest>(&*req)) {
    c.mode = Client::Mode::Down;
    if (!stopping(lab_.phase)) stop_timeout_ = d->timeout;
    if (lab_.phase == Phase::Starting)  // C1: `up` says why it ended
      emit({"", "failed", plan_.lab + ": down requested during up"});
    lab_event(d->force ? LabEvent::DownForced : LabEvent::Down, "down requested");
  } else if (auto* l = std::get_if<LinkRequest>(&*req)) {
    auto r = serve_link_request(st_, plan_, *l);
    (void)write_all(c.fd, encode(r ? Reply{*r} : Reply{ErrorReply{r.error().message}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    if (r) save();
  } else if (auto* gr = std::get_if<GuestsRequest>(&*req)) {
    serve_guests(c, *gr);
  } else if (std::holds_alternative<ApplyRequest>(*req)) {
    serve_apply(c);
  } else if (auto* k = std::get_if<ConsoleRequest>(&*req)) {
    auto* g = st_.find(k->guest);
    if (!g || rt_[static_cast<size_t>(g - st_.guests.data())].pty < 0) {
      std::string why = g ? k->guest + ": no console (not running)" : k->guest + ": no such guest";
      (void)write_all(c.fd, encode(Reply{ErrorReply{why}}) + "\n");
      ::close(c.fd);
      c.fd = -1;
      return;
    }
    size_t gi = static_cast<size_t>(g - st_.guests.data());
    if (k->rows > 0 && k->cols > 0) {  // the client's terminal size; the guest's shell gets SIGWINCH
      winsize ws{};
      ws.ws_row = static_cast<unsigned short>(k->rows);
      ws.ws_col = static_cast<unsigned short>(k->cols);
      (void)::ioctl(rt_[gi].pty, TIOCSWINSZ, &ws);
    }
    if (k->resize) {
      (void)write_all(c.fd, encode(Reply{ConsoleReply{k->guest}}) + "\n");
      ::close(c.fd);
      c.fd = -1;
      return;
    }
    c.mode = Client::Mode::Console;
    c.guest = gi;
    (void)write_all(c.fd, encode(Reply{ConsoleReply{k->guest}}) + "\n" + rt_[c.guest].ring);
    rt_[c.guest].consoles.push_back(c.fd);
  }
}

void Daemon::on_client(size_t ci) {
  Client& c = clients_[ci];
  char buf[4096];
  ssize_t n = ::read(c.fd, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    if (c.mode == Client::Mode::Console) std::erase(rt_[c.guest].consoles, c.fd);
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (c.mode == Client::Mode::Console) {
    if (rt_[c.guest].pty >= 0) (void)write_all(rt_[c.guest].pty, std::string_view(buf, n), milliseconds(200));
    return;
  }
  if (c.mode == Client::Mode::Down || c.mode == Client::Mode::Guests || c.mode == Client::Mode::Apply)
    return;  // nothing more is expected
  if (!c.buf.feed(std::string_view(buf, static_cast<size_t>(n)))) {
    (void)write_all(c.fd, encode(Reply{ErrorReply{"request: too long"}}) + "\n");
    ::close(c.fd);
    c.fd = -1;
    return;
  }
  if (auto line = c.buf.next()) handle_request(c, *line);
}

void Daemon::on_pty(size_t i) {
  Runtime& r = rt_[i];
  while (r.pty >= 0) {
    char buf[8192];
    ssize_t n = ::read(r.pty, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EIO: every slave closed
      if (r.pid <= 0) close_pty(i);
      return;
    }
    std::string_view data(buf, static_cast<size_t>(n));
    if (r.log >= 0) (void)!::write(r.log, data.data(), data.size());
    r.ring.append(data);
    if (r.ring.size() > kConsoleRing) r.ring.erase(0, r.ring.size() - kConsoleRing);
    for (int fd : r.consoles) (void)write_all(fd, data, milliseconds(100));
  }
}

// The bundled guest's readiness channel (vkernel/ready.h): which startup
// command runs, which failed, then "ready".
void Daemon::on_ready(size_t i) {
  Runtime& r = rt_[i];
  char buf[4096];
  ssize_t n = ::read(r.ready, buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // EOF without "ready": the guest is failing; its exit says how
    ::close(r.ready);
    r.ready = -1;
    return;
  }
  if (!r.ready_buf.feed(std::string_view(buf, static_cast<size_t>(n)), vkernel::kReadyLineMax))
    r.ready_buf = LineBuffer{};  // not a line of the guest's: drop it
  GuestRecord& g = st_.guests[i];
  while (auto line = r.ready_buf.next()) {
    auto m = vkernel::parse_ready_line(*line);
    if (!m) continue;
    if (m->kind == vkernel::ReadyLine::Kind::Run) {
      r.running_line = m->line;
      r.running_text = m->text;
      r.running_since = now();
    } else if (m->kind == vkernel::ReadyLine::Kind::Failed) {
      g.startup_errors.push_back({m->line, m->exit, m->text});
      dirty_ = true;
      if (opts_.strict && lab_.phase == Phase::Starting)
        lab_event(LabEvent::GuestFailed, g.name + ": " + describe(g.startup_errors.back(), rt_[i].launch.startup_sources) + " (--strict)");
    } else {
      ::close(r.ready);
      r.ready = -1;
      auto pid = read_pidfile(r.launch.pidfile());
      auto id = pid ? proc_id(*pid) : std::nullopt;
      g.kernel = id.value_or(g.proc);
      guest_event(i, GuestEvent::Ready);
      return;
    }
  }
}

void Daemon::close_pty(size_t i) {
  Runtime& r = rt_[i];
  if (r.pty >= 0) ::close(r.pty);
  r.pty = -1;
  for (int fd : r.consoles)
    for (auto& c : clients_)
      if (c.fd == fd) {
        ::close(c.fd);
        c.fd = -1;
      }
  r.consoles.clear();
}

}  // namespace vklab::labd
