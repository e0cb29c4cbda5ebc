#include "hostnet/host.h"

namespace vklab::hostnet {

std::string ownership_tag(std::string_view lab) { return "vklab:" + std::string(lab); }

std::vector<LinkInfo> tagged(const std::vector<LinkInfo>& links, const std::string& tag) {
  std::vector<LinkInfo> out;
  for (const LinkInfo& l : links)
    if (!tag.empty() && l.alias == tag) out.push_back(l);
  return out;
}

Result<int> Host::destroy_tagged(const std::string& tag) {
  if (tag.empty()) return make_error("destroy_tagged: empty tag");
  auto links = list();
  if (!links) return links.error();
  int deleted = 0;
  for (const LinkInfo& l : tagged(*links, tag)) {
    if (Status s = destroy(l.name); !s) return s.error();
    ++deleted;
  }
  return deleted;
}

}  // namespace vklab::hostnet
