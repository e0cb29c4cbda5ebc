// Test helper: every value of a JSON document replaced, one at a time, by
// a value of each other JSON type — what a decoder must turn into an error
// naming the place, never an exception.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vklab::testing {

/// The reader's name of a JSON pointer: "/guests/0/argv/3" → "guests[0].argv[3]".
inline std::string reader_path(const nlohmann::json::json_pointer& p) {
  std::string out;
  std::string s = p.to_string();
  size_t i = 1;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string::npos) j = s.size();
    std::string tok = s.substr(i, j - i);
    bool index = !tok.empty() && tok.find_first_not_of("0123456789") == std::string::npos;
    out += index ? "[" + tok + "]" : (out.empty() ? "" : ".") + tok;
    i = j + 1;
  }
  return out;
}

namespace detail {
inline void pointers(const nlohmann::json& j, const nlohmann::json::json_pointer& at,
                     std::vector<nlohmann::json::json_pointer>& out) {
  if (!at.empty()) out.push_back(at);
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) pointers(it.value(), at / it.key(), out);
  else if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) pointers(j[i], at / i, out);
}
inline int kind(const nlohmann::json& j) {
  using T = nlohmann::json::value_t;
  switch (j.type()) {
    case T::number_unsigned:
    case T::number_integer: return 1;
    default: return static_cast<int>(j.type()) + 10;
  }
}
}  // namespace detail

/// Calls f(mutated document, pointer) for every value below the top of
/// `doc` and every JSON type other than the value's own.
template <class F>
void for_each_wrong_type(const nlohmann::json& doc, F f) {
  using nlohmann::json;
  const std::vector<json> wrongs = {nullptr, true, 7, -1.5, "x", json::array({1}), json::object({{"k", 1}})};
  std::vector<json::json_pointer> all;
  detail::pointers(doc, json::json_pointer(), all);
  for (const auto& p : all)
    for (const json& w : wrongs) {
      if (detail::kind(w) == detail::kind(doc.at(p))) continue;
      json copy = doc;
      copy[p] = w;
      f(copy, p);
    }
}

}  // namespace vklab::testing
