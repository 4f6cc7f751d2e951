#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "engine/notices/notices.hpp"
#include "engine/notices/templates.hpp"

using namespace passage;

namespace {

namespace fs = std::filesystem;

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Instant local(std::string_view text) {
  const auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

Config config_in(const std::string& lang) {
  Config config;
  config.timezone = "Europe/Paris";
  config.zone = paris();
  config.notify.language = lang;
  config.notify.from = "mytoutatice.cloud@ac-rennes.fr";
  config.notify.support_contact = "assistance@ac-rennes.fr";
  return config;
}

Account sample_account() {
  Account account;
  account.login = "jdupont";
  account.domain = "jdupont.mytoutatice.cloud";
  account.email = "jean.dupont@example.org";
  account.action = Action::move;
  account.target = "https://jdupont.mycozy.cloud";
  account.departure_date = date::year{2026} / 12 / 15;
  account.grace_end = local("2027-01-15T14:30:00");
  account.move_deadline = local("2026-12-08");
  return account;
}

NoticeExtras full_extras(bool with_link) {
  NoticeExtras extras;
  if (with_link) extras.download_url = "https://passage.example.org/d/abc?x=1&y=2";
  extras.export_expires_at = local("2026-12-22T14:30:00");
  return extras;
}

// 1 December 2026, 10:00 in Paris.
const Instant k_now = Instant{std::chrono::milliseconds{1796115600000}};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A throw-away override folder, removed at scope exit.
struct TempFolder {
  fs::path path = fs::temp_directory_path() / ("passage-notices-" + std::to_string(::getpid()));
  TempFolder() { fs::create_directories(path); }
  ~TempFolder() { fs::remove_all(path); }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << text;
  }
};

}  // namespace

TEST_CASE("every kind renders in fr and en with the absolute deletion date", "[notices]") {
  const std::map<std::string, std::string> expected = {
      {"fr", "à partir du 15 janvier 2027"}, {"en", "from 15 January 2027"}};
  for (const auto& [lang, wording] : expected) {
    for (const auto kind : k_notice_kinds) {
      for (const bool with_link : {false, true}) {
        INFO(lang << "/" << kind << (with_link ? " with a download link" : ""));
        const auto notice =
            render_notice(std::string(kind), sample_account(), config_in(lang), k_now, full_extras(with_link));
        const auto flat_body = [&] {
          auto text = notice.body;
          std::replace(text.begin(), text.end(), '\n', ' ');
          return text;
        }();
        CHECK(flat_body.find(wording) != std::string::npos);
        CHECK_FALSE(notice.subject.empty());
        CHECK(notice.subject.find('\n') == std::string::npos);
        CHECK(notice.body.find("{{") == std::string::npos);
        CHECK(notice.subject.find("{{") == std::string::npos);
        CHECK(notice.body.find("}}") == std::string::npos);
        CHECK(notice.body.rfind("Subject:", 0) == std::string::npos);
        CHECK(notice.body.find("\n\n\n") == std::string::npos);  // skipped sections leave no gap
      }
    }
  }
}

TEST_CASE("dates are written in words, French months with accents", "[notices]") {
  const std::vector<std::string> french = {"janvier", "février", "mars",      "avril",
                                           "mai",     "juin",    "juillet",   "août",
                                           "septembre", "octobre", "novembre", "décembre"};
  for (unsigned m = 1; m <= 12; ++m) {
    const auto day = date::year{2027} / date::month{m} / 15;
    CHECK(format_long_date(day, "fr") == "15 " + french[m - 1] + " 2027");
  }
  CHECK(format_long_date(date::year{2027} / 2 / 1, "fr") == "1 f\xc3\xa9vrier 2027");
  CHECK(format_long_date(date::year{2027} / 8 / 3, "fr") == "3 ao\xc3\xbbt 2027");
  CHECK(format_long_date(date::year{2027} / 1 / 15, "en") == "15 January 2027");
  CHECK(format_long_date(date::year{2026} / 12 / 31, "en") == "31 December 2026");
}

TEST_CASE("export_ready: the space's export page or the personal link", "[notices]") {
  const auto config = config_in("fr");
  const auto space = render_notice("export_ready", sample_account(), config, k_now, full_extras(false));
  CHECK(space.body.find("https://jdupont.mytoutatice.cloud/") != std::string::npos);
  CHECK(space.body.find("Paramètres") != std::string::npos);
  CHECK(space.body.find("22 décembre 2026 à 14:30") != std::string::npos);
  CHECK(space.body.find("passage.example.org") == std::string::npos);

  const auto archive = render_notice("export_ready", sample_account(), config, k_now, full_extras(true));
  // Not HTML-escaped: these are text mails.
  CHECK(archive.body.find("https://passage.example.org/d/abc?x=1&y=2") != std::string::npos);
  CHECK(archive.body.find("Paramètres") == std::string::npos);

  const auto english = render_notice("export_ready", sample_account(), config_in("en"), k_now, full_extras(false));
  CHECK(english.body.find("22 December 2026 at 14:30") != std::string::npos);
}

TEST_CASE("deletion_reminder: an expired export says how to ask for a new one, after departure, no "
          "pointer to the space",
          "[notices]") {
  for (const std::string lang : {"fr", "en"}) {
    INFO(lang);
    const auto config = config_in(lang);
    const std::string space_url = "https://jdupont.mytoutatice.cloud/";
    // 1 December: before the departure (15 December), link valid until the 22nd.
    const auto valid = render_notice("deletion_reminder", sample_account(), config, k_now, full_extras(false));
    CHECK(valid.body.find(space_url) != std::string::npos);
    CHECK(valid.body.find(lang == "fr" ? "avant le 22 décembre 2026" : "before 22 December 2026") !=
          std::string::npos);

    // 10 December: still before the departure, the stack's export expired on 3 December.
    NoticeExtras expired = full_extras(false);
    expired.export_expires_at = local("2026-12-03T14:30:00");
    const auto late = render_notice("deletion_reminder", sample_account(), config, local("2026-12-10T10:00"), expired);
    CHECK(late.body.find(lang == "fr" ? "a expiré le 3 décembre 2026" : "expired on 3 December 2026") !=
          std::string::npos);
    CHECK(late.body.find(lang == "fr" ? "EXPORTER MON COZY" : "EXPORT MY COZY") != std::string::npos);
    CHECK(late.body.find(space_url) != std::string::npos);
    CHECK(late.body.find(lang == "fr" ? "dès maintenant" : "do it now") == std::string::npos);

    // 5 January: departed, the space is out of reach: no link to it.
    const auto departed = render_notice("deletion_reminder", sample_account(), config, local("2027-01-05T10:00"), expired);
    CHECK(departed.body.find(space_url) == std::string::npos);
    CHECK(departed.body.find("jdupont.mytoutatice.cloud") != std::string::npos);  // named, not linked
    CHECK(departed.body.find(lang == "fr" ? "a pris fin" : "ended when you left") != std::string::npos);

    // With archive delivery the personal link is given, whatever the date.
    const auto archive = render_notice("deletion_reminder", sample_account(), config, local("2027-01-05T10:00"),
                                       full_extras(true));
    CHECK(archive.body.find("https://passage.example.org/d/abc?x=1&y=2") != std::string::npos);
    CHECK(archive.body.find(space_url) == std::string::npos);
  }
}

TEST_CASE("export notices sent after the stack's export expired or after departure: no download from the "
          "space that is not there",
          "[notices]") {
  for (const std::string lang : {"fr", "en"}) {
    for (const std::string kind : {"export_ready", "move_fallback", "reexport"}) {
      INFO(lang << " " << kind);
      const auto config = config_in(lang);
      const std::string space_url = "https://jdupont.mytoutatice.cloud/";
      NoticeExtras expired = full_extras(false);
      expired.export_expires_at = local("2026-12-03T14:30:00");
      // 10 December: before the departure, the stack's export expired on 3 December.
      const auto late = render_notice(kind, sample_account(), config, local("2026-12-10T10:00"), expired);
      CHECK(late.body.find(lang == "fr" ? "a expiré le 3 décembre 2026" : "expired on 3 December 2026") !=
            std::string::npos);
      CHECK(late.body.find(lang == "fr" ? "EXPORTER MON COZY" : "EXPORT MY COZY") != std::string::npos);
      CHECK(late.body.find(lang == "fr" ? "avant le 3 décembre" : "before 3 December") == std::string::npos);
      CHECK(late.subject.find(lang == "fr" ? "avant le 3" : "before 3") == std::string::npos);
      // 5 January: departed, the space is out of reach: no link to it.
      const auto departed = render_notice(kind, sample_account(), config, local("2027-01-05T10:00"), expired);
      CHECK(departed.body.find(space_url) == std::string::npos);
      CHECK(departed.body.find(lang == "fr" ? "a pris fin" : "ended when you left") != std::string::npos);
    }
  }
}

TEST_CASE("move notices carry the deadline, the target and days left", "[notices]") {
  const auto config = config_in("fr");
  const auto invite = render_notice("move_instructions", sample_account(), config, k_now, {});
  CHECK(invite.subject == "Déménagez votre espace MyToutatice avant le 8 décembre 2026");
  CHECK(invite.body.find("https://jdupont.mycozy.cloud") != std::string::npos);

  NoticeExtras later;
  later.move_deadline = local("2026-12-10T18:00:00");
  const auto reminder = render_notice("move_reminder", sample_account(), config, k_now, later);
  CHECK(reminder.body.find("10 décembre 2026 à 18:00") != std::string::npos);

  const auto deletion = render_notice("deletion_reminder", sample_account(), config,
                                      local("2027-01-08T14:30:00"), {});
  CHECK(deletion.body.find("soit dans 7 jours.") != std::string::npos);
  const auto last_day = render_notice("deletion_reminder", sample_account(), config,
                                      local("2027-01-14T14:30:00"), {});
  CHECK(last_day.body.find("soit demain.") != std::string::npos);
  const auto english = render_notice("deletion_reminder", sample_account(), config_in("en"),
                                     local("2027-01-08T14:30:00"), {});
  CHECK(english.body.find("that is in 7 days.") != std::string::npos);
  const auto changed = render_notice("deletion_date_changed", sample_account(), config,
                                     local("2027-01-08T14:30:00"), {});
  CHECK(changed.body.find("dans 7 jours.") != std::string::npos);
  for (const auto* notice : {&deletion, &last_day, &english, &changed}) {
    CHECK(notice->body.find("(s)") == std::string::npos);
  }
}

TEST_CASE("a move too close to its departure to invite the person gets the export notice saying why",
          "[notices]") {
  for (const char* lang : {"fr", "en"}) {
    INFO("language " << lang);
    Account account = sample_account();
    account.move_deadline.reset();  // never invited
    account.fallback_export = true;
    NoticeExtras extras;
    extras.export_expires_at = local("2026-12-08T10:00:00");
    const std::string why = std::string(lang) == "fr" ? "Votre départ est trop proche" : "Your departure is too close";
    const auto never_invited = render_notice("export_ready", account, config_in(lang), k_now, extras);
    CHECK(never_invited.body.find(why) != std::string::npos);
    account.move_deadline = local("2026-12-01T00:00:00");  // invited, then fell back
    const auto invited = render_notice("export_ready", account, config_in(lang), k_now, extras);
    CHECK(invited.body.find(why) == std::string::npos);
  }
}

TEST_CASE("move notices say what people trip on: start from the source's settings while the academy "
          "access works, the new space's password, the 5-minute confirmation link sent to the space's address",
          "[notices]") {
  for (const char* lang : {"fr", "en"}) {
    INFO("language " << lang);
    const auto config = config_in(lang);
    const bool fr = std::string(lang) == "fr";
    for (const char* kind : {"move_instructions", "move_reminder"}) {
      INFO("kind " << kind);
      const auto notice = render_notice(kind, sample_account(), config, k_now, {});
      const std::string& body = notice.body;
      CHECK(body.find("https://jdupont.mytoutatice.cloud/") != std::string::npos);
      CHECK(body.find(fr ? "DÉMÉNAGER MON COZY" : "MOVE MY COZY") != std::string::npos);
      CHECK(body.find(fr ? "accès Toutatice est encore actif" : "Toutatice access still works") !=
            std::string::npos);
      CHECK(body.find(fr ? "valable que 5 minutes" : "valid for 5 minutes") != std::string::npos);
      CHECK(body.find(fr ? "8 décembre 2026" : "8 December 2026") != std::string::npos);
      CHECK(body.find(fr ? "un nouvel export" : "a new export") != std::string::npos);
      // The fall-back export starts at the deadline's local midnight: "before", never "on".
      CHECK(body.find(fr ? "au plus tard" : "at the latest") == std::string::npos);
      CHECK(body.find(fr ? "avant le 8 décembre 2026" : "before 8 December 2026") != std::string::npos);
    }
  }
}

TEST_CASE("headers, addresses and a stable message id", "[notices]") {
  REQUIRE(k_now == local("2026-12-01T10:00:00"));
  const auto config = config_in("fr");
  const auto notice = render_notice("export_ready", sample_account(), config, k_now, full_extras(false));
  CHECK(notice.kind == "export_ready");
  CHECK(notice.to == "jean.dupont@example.org");
  CHECK(notice.from == "mytoutatice.cloud@ac-rennes.fr");
  CHECK(notice.headers.at("X-Passage-Kind") == "export_ready");
  CHECK(notice.headers.at("X-Passage-Account") == "jdupont.mytoutatice.cloud");
  CHECK(notice.headers.at("X-Passage-Deletion-Date") == "2027-01-15");
  CHECK(notice.message_id == "export_ready.jdupont.mytoutatice.cloud.a" + std::to_string(sample_account().id) +
                              ".20270115@passage");

  // A retry later renders the same id; another kind or date another one.
  const auto retry = render_notice("export_ready", sample_account(), config, k_now + std::chrono::hours{30},
                                   full_extras(false));
  CHECK(retry.message_id == notice.message_id);
  // The same domain listed again by another account row: another id.
  auto relisted = sample_account();
  relisted.id += 1;
  CHECK(render_notice("export_ready", relisted, config, k_now, full_extras(false)).message_id !=
        notice.message_id);
  const auto account = sample_account();
  CHECK(message_id_for("export_ready", account, date::year{2027} / 1 / 15) == notice.message_id);
  CHECK(message_id_for("deletion_reminder", account, date::year{2027} / 1 / 15) != notice.message_id);
  CHECK(message_id_for("export_ready", account, date::year{2027} / 1 / 22) != notice.message_id);
}

TEST_CASE("the deletion date is grace end's local date, or projected before it is set", "[notices]") {
  const auto config = config_in("fr");
  auto account = sample_account();
  account.grace_end = local("2027-01-15T00:30:00");  // 23:30 UTC the day before
  CHECK(deletion_date_for(account, config, k_now) == date::year{2027} / 1 / 15);
  account.grace_end.reset();
  // Departure 15 December 2026 + 1 month.
  CHECK(deletion_date_for(account, config, k_now) == date::year{2027} / 1 / 15);
  CHECK(deletion_date_for(account, config, local("2026-12-20T09:00:00")) == date::year{2027} / 1 / 20);
}

TEST_CASE("an override folder replaces one template and leaves the others built-in", "[notices]") {
  TempFolder folder;
  folder.write("fr/export_ready.mustache",
               "Subject: Archive de {{login}}\n\nSuppression à partir du {{deletion_date}}.\n");
  auto config = config_in("fr");
  config.notify.templates = folder.path;

  const auto custom = render_notice("export_ready", sample_account(), config, k_now, full_extras(false));
  CHECK(custom.subject == "Archive de jdupont");
  CHECK(custom.body == "Suppression à partir du 15 janvier 2027.\n");

  const auto builtin = render_notice("move_done", sample_account(), config, k_now, {});
  CHECK(builtin.subject == "Votre espace MyToutatice a bien été déménagé");
  CHECK(load_template("fr", "move_done", config.notify.templates).origin == "built-in fr/move_done.mustache");
  CHECK(check_templates(config).empty());
}

TEST_CASE("a missing or unknown variable is an error naming the template", "[notices]") {
  auto config = config_in("fr");
  const auto no_expiry = [&] { render_notice("export_ready", sample_account(), config, k_now, {}); };
  CHECK_THROWS_WITH(no_expiry(), Catch::Contains("fr/export_ready.mustache") &&
                                     Catch::Contains("export_expires_at"));

  TempFolder folder;
  folder.write("fr/move_done.mustache", "Subject: {{domian}}\n\nBody {{deletion_date}}\n");
  folder.write("fr/deletion_done.mustache", "Pas de sujet {{deletion_date}}\n");
  folder.write("fr/reexport.mustache", "Subject: x\n\n{{#download_url}}unclosed\n");
  folder.write("fr/export_redy.mustache", "Subject: x\n");
  config.notify.templates = folder.path;
  const auto move_done = [&] { render_notice("move_done", sample_account(), config, k_now, {}); };
  CHECK_THROWS_WITH(move_done(), Catch::Contains((folder.path / "fr/move_done.mustache").string()) &&
                                     Catch::Contains("unknown variable 'domian'"));
  CHECK_THROWS_WITH(render_notice("nope", sample_account(), config, k_now, {}),
                    Catch::Contains("unknown notice kind"));

  const auto errors = check_templates(config);
  REQUIRE(errors.size() == 4);
  const auto all = [&] {
    std::string text;
    for (const auto& error : errors) text += error + "\n";
    return text;
  }();
  CHECK_THAT(all, Catch::Contains("domian") && Catch::Contains("Subject") &&
                      Catch::Contains("never closed") && Catch::Contains("export_redy"));
}

TEST_CASE("check_templates accepts the built-in set in both languages", "[notices]") {
  CHECK(check_templates(config_in("fr")).empty());
  CHECK(check_templates(config_in("en")).empty());
  auto no_contact = config_in("en");
  no_contact.notify.support_contact.clear();
  CHECK(check_templates(no_contact).empty());
}

TEST_CASE("standalone section lines vanish whether the section renders or not", "[notices]") {
  const TemplateSource source{"a\n{{#target}}\nb {{target}}\n{{/target}}\n  {{^target}}  \nc\n{{/target}}\nd\n",
                              "test.mustache"};
  CHECK(render_template(source, {}) == "a\nc\nd\n");
  CHECK(render_template(source, {{"target", "t"}}) == "a\nb t\nd\n");
  CHECK(render_template({"x {{#target}}y{{/target}} z\n", "inline"}, {}) == "x  z\n");
}

TEST_CASE("a template text is parsed once and renders each notice with its own values", "[notices]") {
  // A run renders the same few templates thousands of times: parsing them
  // each time was most of a notice's cost (BENCHMARKS.md, session 10).
  const TemplateSource source{"Subject: {{login}}\n{{#target}}\nto {{target}}\n{{/target}}\nend\n",
                              "parsed-once.mustache"};
  const std::size_t before = template_parses_on_this_thread();
  CHECK(render_template(source, {{"login", "ana"}}) == "Subject: ana\nend\n");
  CHECK(render_template(source, {{"login", "bob"}, {"target", "t"}}) == "Subject: bob\nto t\nend\n");
  CHECK(render_template(source, {{"login", "eve"}}) == "Subject: eve\nend\n");
  CHECK(template_parses_on_this_thread() == before + 1);
  // The same origin with another text (an override file edited): the new text.
  const TemplateSource edited{"Subject: {{login}}!\n", "parsed-once.mustache"};
  CHECK(render_template(edited, {{"login", "ana"}}) == "Subject: ana!\n");
  CHECK(template_parses_on_this_thread() == before + 2);
}

TEST_CASE("template_problems flags partials, delimiters and unbalanced sections", "[notices]") {
  const TemplateValues values = {{"domain", "d"}};
  CHECK(template_problems("{{domain}} {{{domain}}} {{& domain}} {{! note}}", values).empty());
  CHECK(template_problems("{{#target}}{{target}}{{/target}}", values).empty());
  CHECK(template_problems("{{^target}}{{target}}{{/target}}", values).size() == 1);
  CHECK(template_problems("{{> other}}", values).size() == 1);
  CHECK(template_problems("{{=<% %>=}}", values).size() == 1);
  CHECK(template_problems("{{/domain}}", values).size() == 1);
  CHECK(template_problems("{{domain", values).size() == 1);
}

TEST_CASE("embedded templates match configs/templates", "[notices]") {
  const fs::path folder = PASSAGE_SOURCE_DIR "/configs/templates";
  std::set<std::string> on_disk;
  for (const auto& lang : fs::directory_iterator(folder)) {
    for (const auto& file : fs::directory_iterator(lang.path())) {
      if (file.path().extension() == ".mustache") {
        on_disk.insert(lang.path().filename().string() + "/" + file.path().stem().string());
      }
    }
  }
  std::set<std::string> embedded;
  for (const auto& builtin : builtin_templates()) {
    const auto name = std::string(builtin.lang) + "/" + std::string(builtin.kind);
    INFO(name << ": run scripts/embed-templates");
    embedded.insert(name);
    CHECK(read_file(folder / (name + ".mustache")) == builtin.text);
  }
  INFO("run scripts/embed-templates");
  CHECK(embedded == on_disk);
  for (const auto lang : k_builtin_languages) {
    for (const auto kind : k_notice_kinds) {
      CHECK(embedded.count(std::string(lang) + "/" + std::string(kind)) == 1);
    }
  }
}

TEST_CASE("reexport: support's says as you asked, activity's says the space was used, each a new message",
          "[notices][reexport]") {
  const auto config = config_in("fr");
  auto account = sample_account();
  account.reexports = 1;
  const auto after_activity = render_notice("reexport", account, config, k_now, full_extras(true));
  CHECK(after_activity.body.find("a été utilisé après") != std::string::npos);
  CHECK(after_activity.body.find("Comme vous l'avez demandé") == std::string::npos);

  account.reexports = 2;
  account.reexport_requested_by = "support";
  const auto asked = render_notice("reexport", account, config, k_now, full_extras(true));
  CHECK(asked.body.find("Comme vous l'avez demandé à l'assistance") != std::string::npos);
  CHECK(asked.body.find("a été utilisé après") == std::string::npos);
  // Same deletion date, a second export again: another message, never
  // taken for the first one already sent.
  CHECK(asked.message_id != after_activity.message_id);
  CHECK(asked.message_id.starts_with("reexport-2."));
  const auto english = render_notice("reexport", account, config_in("en"), k_now, full_extras(true));
  CHECK(english.body.find("As you asked our support desk") != std::string::npos);
}
