#include "export_layout.hpp"

#include "hash.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sim {

PartPlan plan_parts(std::int64_t used, std::uint64_t key) {
  PartPlan plan;
  const double gib = static_cast<double>(used) / static_cast<double>(k_gib);
  plan.parts_size = std::max<std::int64_t>(k_gib, static_cast<std::int64_t>(std::sqrt(gib) * k_gib));
  const std::int64_t n = std::max<std::int64_t>(1, (used + plan.parts_size - 1) / plan.parts_size);
  for (std::int64_t k = 0; k < n; ++k)
    plan.declared.push_back(k + 1 < n ? plan.parts_size : used - plan.parts_size * (n - 1));
  for (std::int64_t k = 1; k < n; ++k)
    plan.cursors.push_back("io.cozy.files/" + couch_id(mix64(key + static_cast<std::uint64_t>(k))));
  return plan;
}

namespace {

constexpr const char* k_doctypes[] = {"io.cozy.contacts", "io.cozy.bank.accounts", "io.cozy.notes.events",
                                      "io.cozy.settings"};
constexpr const char* k_folders[] = {"Documents", "Documents/Cours", "Photos", "Administratif", "Notes"};
constexpr const char* k_exts[] = {"pdf", "odt", "jpg", "png", "txt"};

void add_data_docs(std::vector<ZipEntry>& out, const PartContentInput& in) {
  out.push_back({"My Cozy/Data/instance.json", 0, 0, in.instance_json});
  for (std::size_t t = 0; t < std::size(k_doctypes); ++t) {
    const auto n = 1 + mix64(in.key + t) % 4;
    for (std::uint64_t i = 0; i < n; ++i) {
      const auto id = couch_id(mix64(in.key ^ (t * 131 + i)));
      std::string doc = R"({"_id":")" + id + R"(","_rev":"1-)" + hex64(mix64(in.key + i)) + R"("})";
      out.push_back({"My Cozy/Data/" + std::string(k_doctypes[t]) + "/" + id + ".json", 0, 0, std::move(doc)});
    }
  }
}

}  // namespace

std::vector<ZipEntry> part_entries(const PartContentInput& in) {
  std::vector<ZipEntry> out;
  if (in.part == 0) add_data_docs(out, in);
  const std::uint64_t part_key = mix64(in.key ^ mix64(in.part + 1));
  const std::size_t files = 2 + part_key % 7;
  const auto served = std::max<std::int64_t>(
      static_cast<std::int64_t>(files), std::llround(static_cast<double>(in.declared) * in.size_scale));
  for (std::size_t i = 0; i < files; ++i) {
    const auto h = mix64(part_key + i);
    char name[64];
    std::snprintf(name, sizeof name, "file-%03zu-%02zu.%s", in.part, i, k_exts[h % std::size(k_exts)]);
    const auto size = served / static_cast<std::int64_t>(files) +
                      (i == 0 ? served % static_cast<std::int64_t>(files) : 0);
    out.push_back({"My Cozy/Files/" + std::string(k_folders[(h >> 8) % std::size(k_folders)]) + "/" + name,
                   size, h, {}});
  }
  return out;
}

std::string part_file_name(const std::string& domain, std::size_t part, std::size_t parts) {
  if (parts <= 1) return domain + ".zip";
  char buf[32];
  std::snprintf(buf, sizeof buf, " - part%03zu.zip", part + 1);
  return domain + buf;
}

}  // namespace sim
