#include "topology/load_impair.h"

#include "common/text.h"

namespace vklab::topology::detail {

std::optional<Located<vkernel::Impairment>> read_impair(Reader& r, const Entry& e, const std::string& context) {
  const std::string what = "\"impair\" " + context;
  if (!e.value.IsMap()) {
    r.wrong_type(e.loc, what, "a mapping {" + join(vkernel::kImpairKeys, ", ") + "}", e.value);
    return std::nullopt;
  }
  Located<vkernel::Impairment> out{{}, e.loc};
  bool ok = true, any = false;
  const std::string ctx = "in impair " + context;
  r.for_each(e.value, vkernel::kImpairKeys, ctx, [&](const Entry& f) {
    any = true;
    auto s = r.string(f, subject(f.key, ctx));
    if (!s) {
      ok = false;
      return;
    }
    if (Status st = vkernel::set_field(out.value, f.key, *s); !st) {
      std::string msg = st.error().message;
      if (msg.starts_with(f.key + ": ")) msg.erase(0, f.key.size() + 2);
      r.error(f.loc, subject(f.key, ctx) + ": " + msg);
      ok = false;
    }
  });
  // for_each reported unknown keys; they leave `any` alone.
  if (ok && !any && e.value.size() == 0) {
    r.error(e.loc, what + " is empty: give at least one of " + join(vkernel::kImpairKeys, ", ") +
                       ", or remove it");
    return std::nullopt;
  }
  if (!ok || !any) return std::nullopt;
  if (Status st = out.value.check(); !st) {
    r.error(e.loc, what + ": " + st.error().message);
    return std::nullopt;
  }
  return out;
}

}  // namespace vklab::topology::detail
