#include "common/json_in.h"

namespace vklab {

using nlohmann::json;

namespace {
const json& null_value() {
  static const json n;
  return n;
}
}  // namespace

JsonIn JsonReader::top(const json& j) {
  JsonIn in(*this, j, "");
  if (!j.is_object()) fail("", "not a JSON object");
  return in;
}

void JsonReader::fail(const std::string& path, const std::string& problem) {
  if (!err_.empty()) return;
  err_ = what_ + ": " + (path.empty() ? "" : path + ": ") + problem;
}

std::string JsonIn::child_path(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

const json* JsonIn::field(const char* key, bool required) const {
  if (!j_->is_object()) {
    fail("not an object");
    return nullptr;
  }
  auto it = j_->find(key);
  if (it == j_->end()) {
    if (required) fail(key, "missing");
    return nullptr;
  }
  return &*it;
}

bool JsonIn::has(const char* key) const { return j_->is_object() && j_->contains(key); }

std::optional<std::string> JsonIn::as_str() const {
  if (!j_->is_string()) {
    fail("not a string");
    return std::nullopt;
  }
  return j_->get<std::string>();
}

std::optional<int64_t> JsonIn::as_integer(int64_t lo, int64_t hi) const {
  if (!j_->is_number_integer()) {
    fail("not an integer");
    return std::nullopt;
  }
  if (j_->is_number_unsigned() && j_->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    fail("out of range");
    return std::nullopt;
  }
  int64_t v = j_->get<int64_t>();
  if (v < lo || v > hi) {
    fail("out of range (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return std::nullopt;
  }
  return v;
}

std::vector<JsonIn> JsonIn::items() const {
  std::vector<JsonIn> out;
  if (!j_->is_array()) {
    fail("not a list");
    return out;
  }
  out.reserve(j_->size());
  for (size_t i = 0; i < j_->size(); ++i) out.emplace_back(*r_, (*j_)[i], path_ + "[" + std::to_string(i) + "]");
  return out;
}

std::string JsonIn::str(const char* key) const {
  if (const json* f = field(key, true)) return JsonIn(*r_, *f, child_path(key)).as_str().value_or("");
  return "";
}

std::optional<std::string> JsonIn::opt_str(const char* key) const {
  if (const json* f = field(key, false)) return JsonIn(*r_, *f, child_path(key)).as_str();
  return std::nullopt;
}

std::string JsonIn::str_or(const char* key, std::string fallback) const {
  if (const json* f = field(key, false)) return JsonIn(*r_, *f, child_path(key)).as_str().value_or(fallback);
  return fallback;
}

int64_t JsonIn::integer(const char* key, int64_t lo, int64_t hi) const {
  if (const json* f = field(key, true)) return JsonIn(*r_, *f, child_path(key)).as_integer(lo, hi).value_or(0);
  return 0;
}

std::optional<int64_t> JsonIn::opt_integer(const char* key, int64_t lo, int64_t hi) const {
  if (const json* f = field(key, false)) return JsonIn(*r_, *f, child_path(key)).as_integer(lo, hi);
  return std::nullopt;
}

std::optional<bool> JsonIn::opt_boolean(const char* key, bool required) const {
  const json* f = field(key, required);
  if (f && !f->is_boolean()) fail(key, "not a boolean");
  if (!f || !f->is_boolean()) return std::nullopt;
  return f->get<bool>();
}

bool JsonIn::boolean(const char* key) const { return opt_boolean(key, true).value_or(false); }

bool JsonIn::boolean_or(const char* key, bool fallback) const { return opt_boolean(key, false).value_or(fallback); }

JsonIn JsonIn::at(const char* key) const {
  const json* f = field(key, true);
  return JsonIn(*r_, f ? *f : null_value(), child_path(key));
}

std::vector<JsonIn> JsonIn::list(const char* key) const {
  if (const json* f = field(key, true)) return JsonIn(*r_, *f, child_path(key)).items();
  return {};
}

std::vector<JsonIn> JsonIn::opt_list(const char* key) const {
  if (const json* f = field(key, false)) return JsonIn(*r_, *f, child_path(key)).items();
  return {};
}

std::vector<std::string> JsonIn::strings(const char* key, bool required) const {
  std::vector<std::string> out;
  for (const JsonIn& item : required ? list(key) : opt_list(key))
    if (auto s = item.as_str()) out.push_back(std::move(*s));
  return out;
}

void JsonIn::only(std::initializer_list<const char*> known) const {
  if (!j_->is_object()) {
    fail("not an object");
    return;
  }
  for (auto it = j_->begin(); it != j_->end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) fail("unknown field \"" + it.key() + "\"");
  }
}

}  // namespace vklab
