// `passage config check` for notice templates: every kind rendered in the
// configured language with sample data, so a broken override is found before
// a campaign, not by the first person who should have been told.

#include <algorithm>
#include <stdexcept>

#include "engine/notices/notices.hpp"
#include "engine/notices/templates.hpp"

namespace passage {
namespace {

Account sample_account(const Config& config, Instant now) {
  Account account;
  account.login = "jdupont";
  account.domain = "jdupont.mytoutatice.cloud";
  account.email = "jean.dupont@example.org";
  account.target = "https://jdupont.mycozy.cloud";
  account.departure_date = local_date(now, config.zone);
  account.grace_end = add_span(now, config.grace, config.zone);
  account.move_deadline = now + std::chrono::days{7};
  return account;
}

NoticeExtras sample_extras(Instant now, bool with_link) {
  NoticeExtras extras;
  if (with_link) extras.download_url = "https://passage.example.org/d/sample-token";
  extras.export_expires_at = now + std::chrono::days{7};
  return extras;
}

void add_once(std::vector<std::string>& errors, std::string error) {
  if (std::find(errors.begin(), errors.end(), error) == errors.end()) errors.push_back(std::move(error));
}

void check_override_folder(const std::filesystem::path& folder, std::vector<std::string>& errors) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    errors.push_back("notify.templates: " + folder.string() + " is not a folder");
    return;
  }
  for (const auto& lang : std::filesystem::directory_iterator(folder, error)) {
    if (!lang.is_directory(error)) continue;
    for (const auto& file : std::filesystem::directory_iterator(lang.path(), error)) {
      if (file.path().extension() != ".mustache") continue;
      const auto kind = file.path().stem().string();
      if (std::find(k_notice_kinds.begin(), k_notice_kinds.end(), kind) == k_notice_kinds.end()) {
        errors.push_back(file.path().string() + ": '" + kind + "' is not a notice kind");
      }
    }
  }
}

}  // namespace

std::vector<std::string> check_templates(const Config& config) {
  std::vector<std::string> errors;
  if (config.notify.templates) check_override_folder(*config.notify.templates, errors);
  const auto now = local_midnight(date::year_month_day{date::year{2027}, date::month{1}, date::day{4}},
                                  config.zone) + std::chrono::hours{14};
  const auto account = sample_account(config, now);
  for (const auto kind : k_notice_kinds) {
    for (const bool with_link : {false, true}) {
      try {
        render_notice(std::string(kind), account, config, now, sample_extras(now, with_link));
      } catch (const std::runtime_error& error) {
        add_once(errors, error.what());
      }
    }
  }
  return errors;
}

}  // namespace passage
