#include "engine/serve/desk_routes.hpp"

#include <charconv>

#include "engine/serve/desk_pages.hpp"
#include "engine/serve/desk_text.hpp"
#include "engine/support/account_actions.hpp"
#include "engine/support/campaign_progress.hpp"
#include "engine/support/case_read.hpp"
#include "engine/support/mail_preview.hpp"
#include "engine/support/say.hpp"
#include "plugins/reporters/html_words.hpp"

namespace passage {

namespace {

constexpr int k_search_limit = 50;

DeskAnswer html_answer(int status, std::string body) {
  DeskAnswer answer;
  answer.status = status;
  answer.body = std::move(body);
  return answer;
}

DeskAnswer see_other(const std::string& location) {
  DeskAnswer answer = html_answer(303, "");
  answer.location = location;
  return answer;
}

std::string session_cookie(const std::string& id) {
  return std::string(k_desk_cookie) + "=" + id + "; HttpOnly; SameSite=Strict; Path=/";
}

std::string cleared_cookie() {
  return std::string(k_desk_cookie) + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0";
}

std::string field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto found = fields.find(name);
  return found == fields.end() ? std::string{} : found->second;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

struct AccountRoute {
  std::int64_t id = 0;
  std::string verb;  // empty: the page; "mail/3": a mail
};

// "/account/12", "/account/12/postpone" (or "/campaign/3" with `prefix`).
std::optional<AccountRoute> parse_account_route(std::string_view path, std::string_view prefix = "/account/") {
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  const auto slash = path.find('/');
  auto id = parse_id(path.substr(0, slash));
  if (!id) return std::nullopt;
  AccountRoute route{*id, {}};
  if (slash != std::string_view::npos) route.verb = std::string(path.substr(slash + 1));
  return route;
}

DeskAnswer not_found(std::string_view lang) {
  return html_answer(404, render_message_page(say(lang, "Page introuvable", "Not found"),
                                              say(lang, "Cette page n'existe pas.", "There is no such page."), lang));
}

// The postpone's days or date from the form, or why not.
std::optional<std::string> read_postpone(const std::map<std::string, std::string>& form, SupportRequest& request,
                                         std::string_view lang) {
  const std::string days = field(form, "days");
  const std::string until = field(form, "until");
  if (!days.empty() && !until.empty())
    return say(lang, "donnez un nombre de jours ou une date, pas les deux", "give a number of days or a date, not both");
  if (days.empty() && until.empty()) return say(lang, "donnez un nombre de jours ou une date", "give a number of days or a date");
  if (!until.empty()) {
    request.until = parse_iso_date(until);
    if (!request.until) return "« " + until + say(lang, " » n'est pas une date AAAA-MM-JJ", " » is not a date YYYY-MM-DD");
    return std::nullopt;
  }
  int n = 0;
  const auto [end, error] = std::from_chars(days.data(), days.data() + days.size(), n);
  if (error != std::errc{} || end != days.data() + days.size() || n <= 0)
    return say(lang, "le nombre de jours doit être un nombre positif", "the number of days must be a positive number");
  request.days = n;
  return std::nullopt;
}

}  // namespace

namespace {

// Size and modification time of `file`, or "missing".
std::string file_stamp(const std::filesystem::path& file) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) return "missing";
  const auto time = std::filesystem::last_write_time(file, error);
  if (error) return "missing";
  return std::to_string(size) + "@" + std::to_string(time.time_since_epoch().count());
}

}  // namespace

DeskRoutes::DeskRoutes(Store& store, const Config& config, const Clock& clock, DeskCredentials credentials)
    : m_store(store), m_config(config), m_clock(clock), m_credentials(std::move(credentials)),
      m_lang(report_language(config.notify.language)) {
  if (m_credentials.agents_file) m_agents_stamp = file_stamp(*m_credentials.agents_file);
}

// An agent removed from the file is out at once: their sessions close. A
// file that cannot be read, or that lists nobody, lets nobody in: failing
// open would keep a revoked agent (CONTRACT.md "Desk login").
std::string DeskRoutes::refresh_agents() {
  if (!m_credentials.agents_file) return "";
  const std::filesystem::path file = *m_credentials.agents_file;
  const std::string stamp = file_stamp(file);
  if (stamp == m_agents_stamp) return "";
  m_agents_stamp = stamp;
  std::string problem;
  try {
    m_credentials = read_agents_file(file);
  } catch (const std::exception& error) {
    m_credentials = DeskCredentials{std::nullopt, {}, file};
    problem = std::string("agents file unusable, nobody can log in: ") + error.what();
  }
  m_sessions.close_unless([&](const std::string& agent) {
    return agent.starts_with("support:") && m_credentials.agent_hashes.contains(std::string_view(agent).substr(8));
  });
  return problem;
}

DeskAnswer DeskRoutes::answer(const DeskRequest& request, Instant real_now) {
  // Before any session is looked up: a removed agent is out at once.
  const std::string agents_problem = refresh_agents();
  DeskAnswer answer = route(request, real_now);
  if (!agents_problem.empty())
    answer.log_line = agents_problem + (answer.log_line.empty() ? "" : "; " + answer.log_line);
  return answer;
}

DeskAnswer DeskRoutes::route(const DeskRequest& request, Instant real_now) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (!get && !post)
    return html_answer(405, render_message_page(say(m_lang, "Non permis", "Not allowed"),
                                                say(m_lang, "Seuls GET et POST.", "Only GET and POST."), m_lang));
  if (get && path == k_desk_css_path) {
    DeskAnswer css = html_answer(200, desk_stylesheet());
    css.content_type = "text/css; charset=utf-8";
    return css;
  }
  if (get && path == "/favicon.ico") return html_answer(204, "");  // none: no request logged as failed
  if (post && path == "/login") return login(request, real_now);
  std::optional<DeskSession> session;
  if (auto id = cookie_value(request.cookie, k_desk_cookie)) session = m_sessions.find(*id, real_now);
  // The home page is the login form; anything else without a session is 401.
  if (!session) return html_answer(get && path == "/" ? 200 : 401, render_login_page("", m_lang));
  if (post && path == "/logout") return logout(request, *session);
  if (get && path == "/") {
    const auto query = target.find('?') == std::string_view::npos ? std::string_view{} : target.substr(target.find('?') + 1);
    return search(*session, field(form_fields(query), "q"));
  }
  if (auto campaign = parse_account_route(path, "/campaign/"); campaign && get && campaign->verb.empty())
    return campaign_page(*session, campaign->id);
  auto route = parse_account_route(path);
  if (!route) return not_found(m_lang);
  if (get && route->verb.empty())
    return account_page(*session, route->id, m_sessions.take_flash(session->id).value_or(DeskFlash{}), 200);
  if (get && route->verb.starts_with("mail/"))
    return mail_page(*session, route->id, std::string_view(route->verb).substr(5));
  if (post && !route->verb.empty()) return act(request, *session, route->id, route->verb);
  return html_answer(405, render_message_page(say(m_lang, "Non permis", "Not allowed"),
                                              say(m_lang, "Les actions sont des formulaires POST.",
                                                  "Actions are POST forms."),
                                              m_lang));
}

DeskAnswer DeskRoutes::login(const DeskRequest& request, Instant real_now) {
  if (!m_limiter.allowed(request.address, real_now)) {
    DeskAnswer limited = html_answer(
        429, render_login_page(say(m_lang, "Trop de connexions manquées : attendez une minute.",
                                   "Too many failed logins: wait a minute."),
                               m_lang));
    limited.log_line = "login refused: too many failures from " + request.address;
    return limited;
  }
  const auto form = form_fields(request.body);
  const std::string name = field(form, "name");
  if (!credentials_accept(m_credentials, name, field(form, "token"))) {
    m_limiter.record_failure(request.address, real_now);
    DeskAnswer refused = html_answer(
        401, render_login_page(valid_agent_name(name)
                                   ? say(m_lang, "Nom ou jeton erroné.", "Wrong name or token.")
                                   : say(m_lang, "Un nom compte de 1 à 64 lettres, chiffres, « . », « _ » ou « - ».",
                                         "A name is 1 to 64 letters, digits, '.', '_' or '-'."),
                               m_lang));
    refused.log_line = "login failed from " + request.address;
    return refused;
  }
  DeskSession session = m_sessions.open("support:" + name, real_now);
  DeskAnswer answer = see_other("/");
  answer.set_cookie = session_cookie(session.id);
  answer.log_line = session.agent + " logged in from " + request.address;
  return answer;
}

DeskAnswer DeskRoutes::logout(const DeskRequest& request, const DeskSession& session) {
  if (!csrf_ok(session, field(form_fields(request.body), "csrf"))) return csrf_refused();
  m_sessions.close(session.id);
  DeskAnswer answer = see_other("/");
  answer.set_cookie = cleared_cookie();
  return answer;
}

DeskAnswer DeskRoutes::search(const DeskSession& session, const std::string& query) {
  std::vector<Account> results;
  if (!query.empty()) results = m_store.search_accounts(query, k_search_limit + 1);
  const bool more = results.size() > static_cast<std::size_t>(k_search_limit);
  if (more) results.resize(k_search_limit);
  std::vector<Campaign> open;
  for (Campaign& campaign : m_store.campaigns())
    if (campaign.closed_at.empty()) open.push_back(std::move(campaign));
  return html_answer(200, render_search_page(session.agent, session.csrf, query, results, more, open, m_lang));
}

DeskAnswer DeskRoutes::campaign_page(const DeskSession& session, std::int64_t id) {
  for (const Campaign& campaign : m_store.campaigns()) {
    if (campaign.id != id) continue;
    CampaignProgress progress = read_campaign_progress(m_store, campaign, m_config.zone, m_clock.now());
    return html_answer(200, render_campaign_page(session.agent, session.csrf, progress, m_config.zone, m_lang));
  }
  return not_found(m_lang);
}

DeskAnswer DeskRoutes::mail_page(const DeskSession& session, std::int64_t id, std::string_view number) {
  auto account = m_store.account(id);
  auto n = parse_id(number);
  if (!account || !n) return not_found(m_lang);
  CaseRecord record = read_case(m_store, *account);
  if (*n > static_cast<std::int64_t>(record.notices.size())) return not_found(m_lang);
  const NoticeRecord& notice = record.notices[static_cast<std::size_t>(*n - 1)];
  std::string why;
  auto preview = preview_mail(m_config, *account, notice.message_id, notice.created_at, why);
  return html_answer(200, render_mail_page(session.agent, session.csrf, *account, notice, preview, why, m_config.zone,
                                           m_lang));
}

DeskAnswer DeskRoutes::account_page(const DeskSession& session, std::int64_t id, const DeskFlash& flash, int status) {
  auto account = m_store.account(id);
  if (!account) return not_found(m_lang);
  const Instant now = m_clock.now();
  CaseView view;
  view.record = read_case(m_store, *account);
  view.timeline = case_timeline(view.record, m_config.zone, now, m_lang);
  view.next = case_next_steps(m_store, m_config, *account, now, m_lang);
  view.lang = m_lang;
  view.zone = m_config.zone;
  view.max_postpone = to_string(m_config.support_max_postpone);
  return html_answer(status, render_account_page(session.agent, session.csrf, view, flash.text, flash.refused));
}

DeskAnswer DeskRoutes::csrf_refused() const {
  return html_answer(403, render_message_page(say(m_lang, "Refusé", "Refused"),
                                              say(m_lang, "Le jeton CSRF du formulaire manque ou est faux : "
                                                          "rechargez la page et recommencez.",
                                                  "The form's CSRF token is missing or wrong: reload the page "
                                                  "and try again."),
                                              m_lang));
}

DeskAnswer DeskRoutes::act(const DeskRequest& request, const DeskSession& session, std::int64_t id,
                           const std::string& verb) {
  const auto form = form_fields(request.body);
  if (!csrf_ok(session, field(form, "csrf"))) return csrf_refused();
  auto kind = support_event_named(verb);
  if (!kind) return not_found(m_lang);
  auto account = m_store.account(id);
  if (!account) return not_found(m_lang);
  // The form acts on the account as the page showed it: sent twice, or
  // after another agent, a run or the nightly changed the account, it
  // would act on something the agent did not see (a second postpone of
  // N days, a release of a hold someone else set): refused, the page
  // shows the account as it is now.
  if (field(form, "version") != std::to_string(account->version))
    return account_page(session, id, DeskFlash{say(m_lang,
        "le compte a changé depuis l'affichage de la page (un autre agent, une exécution, ou ce formulaire envoyé "
        "deux fois) : rien n'a été fait ; le voici tel qu'il est maintenant, vérifiez puis agissez de nouveau",
        "the account changed since the page was shown (another agent, a run, or this form sent twice): nothing "
        "was done; here it is as it is now, check and act again"), true}, 409);
  SupportRequest action{*kind, verb, field(form, "reason"), std::nullopt, std::nullopt};
  if (action.reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return account_page(session, id, DeskFlash{verb + say(m_lang, " : un motif est requis", ": a reason is required"), true},
                        400);
  if (*kind == EventKind::postpone)
    if (auto problem = read_postpone(form, action, m_lang))
      return account_page(session, id, DeskFlash{"postpone" + say(m_lang, " : ", ": ") + *problem, true}, 400);
  ActionOutcome outcome =
      act_on_account(m_store, m_config, *account, action, m_clock.now(), session.agent, m_lang);
  // Refused: the page again, with the form as it was. Done: POST, then 303,
  // then GET, so that a reload never acts twice.
  DeskAnswer answer = outcome.done ? see_other("/account/" + std::to_string(id))
                                   : account_page(session, id, DeskFlash{outcome.said, true}, 409);
  if (outcome.done) m_sessions.set_flash(session.id, DeskFlash{outcome.said, false});
  answer.log_line = session.agent + " " + verb + " " + outcome.message;
  return answer;
}

}  // namespace passage
