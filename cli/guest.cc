#include "cli/guest.h"

#include "labd/state.h"

namespace vklab::cli {

GuestEntry enter_guest(const labd::LabState& st, const std::string& guest, const std::string& what) {
  GuestEntry e;
  const labd::GuestRecord* g = st.find(guest);
  if (!g) {
    e.problem = GuestEntry::Problem::NoSuchGuest;
    e.message = st.lab + ": no guest named " + guest;
    return e;
  }
  if (!g->bundled) {
    e.problem = GuestEntry::Problem::NotSupported;
    e.message = g->name + ": " + what + " is not supported for this kernel (only the bundled Linux guest)";
    return e;
  }
  const labd::ProcId& k = g->kernel.valid() ? g->kernel : g->proc;
  auto init = labd::alive(k) ? labd::find_guest_init(k.pid) : std::nullopt;
  if (g->state != labd::GuestState::Up || !init) {
    e.problem = GuestEntry::Problem::NotRunning;
    e.message = g->name + ": not running (" + labd::state_name(g->state) + ")";
    return e;
  }
  e.init = *init;
  e.ns = labd::guest_namespaces(*init);
  return e;
}

Result<int> run_in_guest(const labd::LabState& st, const std::string& guest,
                         const std::vector<std::string>& argv, const labd::RunOptions& opts) {
  GuestEntry e = enter_guest(st, guest, "exec");
  if (!e.ok()) return make_error(e.message);
  return labd::run_in_namespaces(e.ns, argv, opts);
}

}  // namespace vklab::cli
