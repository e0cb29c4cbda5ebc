// The command table.
#include "cli/cli.h"

namespace vklab::cli {

Runner setup_validate(CLI::App&);
Runner setup_plan(CLI::App&);
Runner setup_graph(CLI::App&);
Runner setup_up(CLI::App&);
Runner setup_down(CLI::App&);
Runner setup_status(CLI::App&);
Runner setup_ls(CLI::App&);
Runner setup_console(CLI::App&);
Runner setup_exec(CLI::App&);
Runner setup_check(CLI::App&);
Runner setup_convert(CLI::App&);
Runner setup_save(CLI::App&);
Runner setup_impair(CLI::App&);
Runner setup_link(CLI::App&);
Runner setup_capture(CLI::App&);
Runner setup_grade(CLI::App&);
Runner setup_start(CLI::App&);
Runner setup_stop(CLI::App&);
Runner setup_restart(CLI::App&);

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"validate", "Check a lab file and report every problem with its file:line:col", setup_validate},
      {"plan", "Print what `up` would do: host steps, guest command lines, teardown", setup_plan},
      {"graph", "Draw the lab: guests, bridges and vkeN links (dot, svg, png)", setup_graph},
      {"up", "Bring a lab up: start labd, boot every guest, show the guest table", setup_up},
      {"down", "Take a lab down: clean halts (SIGKILL after stop_timeout), remove everything", setup_down},
      {"start", "Boot stopped guests again (same interfaces, fresh writable layer)", setup_start},
      {"stop", "Halt guests cleanly (SIGKILL after stop_timeout); the lab stays up", setup_stop},
      {"restart", "Stop guests, then boot them again", setup_restart},
      {"status", "Show a lab's guests: state, pid, uptime, interfaces, last console line", setup_status},
      {"ls", "List the labs on this host", setup_ls},
      {"console", "Attach to a guest's console (Ctrl-] detaches)", setup_console},
      {"exec", "Run a command inside a guest (or --host: in the lab's namespace)", setup_exec},
      {"save", "Copy what guests changed (their writable layer) into their lab folders", setup_save},
      {"check", "Run the lab's checks (routes, addresses, processes, commands, ping, …) inside its guests", setup_check},
      {"grade", "Grade students' labs against an answer key: up, check, down each; reports per student", setup_grade},
      {"convert", "Print a Kathará lab directory (lab.conf) as a vklab YAML lab file", setup_convert},
      {"impair", "Delay, drop, corrupt, duplicate, reorder or rate-limit what a guest sends; show impairments", setup_impair},
      {"link", "Take a guest interface's link down (no frames, NO-CARRIER) or up again", setup_link},
      {"capture", "Capture a bridge's or a guest interface's frames (pcap file, pipe, or readable lines)", setup_capture},
  };
  return table;
}

}  // namespace vklab::cli
