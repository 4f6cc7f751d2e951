#pragma once
// The desk page's HTML (`passage serve`), pure: a login form, the search
// and its results, one person's case with the actions. No script, no
// external asset: the one stylesheet is served by the desk itself
// (/desk.css) and every value is HTML-escaped (desk_text.hpp). Every page
// speaks `lang`: French unless "en" (config notify.language, as the
// notices and the HTML report).

#include <string>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/store/store.hpp"
#include "engine/support/campaign_progress.hpp"
#include "engine/support/mail_preview.hpp"
#include "engine/support/next_steps.hpp"
#include "engine/support/timeline.hpp"

namespace passage {

inline constexpr const char* k_desk_css_path = "/desk.css";

const std::string& desk_stylesheet();

// The page around `body`: title, the desk's stylesheet, and for a logged-in
// agent their name and the log-out form.
std::string desk_layout(const std::string& title, const std::string& agent, const std::string& csrf,
                        const std::string& body, std::string_view lang);

// The login form (name and token); `problem` shown above it when not empty.
std::string render_login_page(const std::string& problem, std::string_view lang);

// The search form with `query` in it and, when a query was given, its
// results (each a link to its account page); `more` when the list was cut;
// then the open campaigns, each a link to its progress.
std::string render_search_page(const std::string& agent, const std::string& csrf, const std::string& query,
                               const std::vector<Account>& results, bool more, const std::vector<Campaign>& campaigns,
                               std::string_view lang);

// A campaign's progress (desk_campaign_page.cpp): counts by state, FAILED
// and HELD accounts by reason with their sentence, the next nights'
// deletions; each account a link to its page.
std::string render_campaign_page(const std::string& agent, const std::string& csrf, const CampaignProgress& progress,
                                 const date::time_zone* zone, std::string_view lang);

// One mail the person was sent (desk_campaign_page.cpp): its headers and
// text, or why it cannot be shown, and whether it is the exact copy.
std::string render_mail_page(const std::string& agent, const std::string& csrf, const Account& account,
                             const NoticeRecord& notice, const std::optional<MailPreview>& preview,
                             const std::string& why, const date::time_zone* zone, std::string_view lang);

struct CaseView {
  CaseRecord record;
  std::vector<TimelineEntry> timeline;
  std::vector<NextStep> next;
  const date::time_zone* zone = nullptr;
  std::string max_postpone;  // "60 days"
  std::string lang = "fr";   // the page's language
};

// The person's case: header, timeline (local times), next steps, and one
// POST form per action with the session's CSRF token and a required
// reason. `outcome` is what the last action did or why it was refused.
std::string render_account_page(const std::string& agent, const std::string& csrf, const CaseView& view,
                                const std::string& outcome, bool refused);

// A short page for 403/404/401 answers.
std::string render_message_page(const std::string& title, const std::string& text, std::string_view lang);

// "Délai de grâce (GRACE)" / "Grace period (GRACE)": a state for the page.
std::string state_on_page(State state, std::string_view lang);

}  // namespace passage
