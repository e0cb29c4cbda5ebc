#include "topology/netkit_names.h"

#include "topology/model.h"

namespace vklab::topology {

namespace {

bool is_letter(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<std::string> lab_name_from_dir(std::string_view dir_name) {
  std::string_view base = dir_name;
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (auto slash = base.rfind('/'); slash != std::string_view::npos && base.size() > 1)
    base.remove_prefix(slash + 1);
  std::string out;
  for (char raw : base) {
    char c = lower(raw);
    if (c == '_' || c == '.' || c == ' ' || c == '\t') c = '-';
    if (!is_letter(c) && !is_digit(c) && c != '-') continue;
    if (out.empty() && !is_letter(c)) continue;
    if (c == '-' && !out.empty() && out.back() == '-') continue;
    out += c;
  }
  if (out.size() > kMaxLabName) out.resize(kMaxLabName);
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty())
    return make_error("the directory name \"" + std::string(base) +
                      "\" gives no lab name: a lab name needs a letter (a-z); rename the directory");
  return out;
}

std::string bridge_name_for_cd(std::string_view cd) {
  std::string out;
  for (char c : cd) out += lower(c);
  if (out.empty() || !is_letter(out[0])) out = "cd" + out;
  return out;
}

}  // namespace vklab::topology
