#include "engine/support/next_steps.hpp"

#include <algorithm>

#include "engine/lifecycle/reminders.hpp"
#include "engine/notices/notices.hpp"
#include "engine/support/reasons.hpp"
#include "engine/support/say.hpp"

namespace passage {

namespace {

// The words of one reading: the account's policy and the language.
struct Wording {
  const Policy& policy;
  std::string_view lang;

  std::string long_date(Instant at) const { return format_long_date(local_date(at, policy.zone), lang); }
  std::string say(std::string_view french, std::string_view english) const {
    return passage::say(lang, french, english);
  }
};

// "on 8 January 2027", or "at the next run" when the timer is already due.
std::string when(const std::optional<Instant>& at, Instant now, const Wording& w) {
  if (!at || *at <= now) return w.say("à la prochaine exécution", "at the next run");
  return w.say("le ", "on ") + w.long_date(*at);
}

std::string reason_in_words(const Account& account, const Wording& w) {
  return account.state_reason.empty() ? std::string() : " (" + explain_reasons(account.state_reason, w.lang) + ")";
}

// The deletion and the reminders not sent yet before it, as the runner
// sends them from `from` on (now in GRACE, the departure before it):
// reminders whose time has come by then go as one at `from` (only the
// latest is sent); a date the person was not told yet is told first, and
// counts as those reminders. Past the grace end only the purge is left.
std::vector<NextStep> deletion_steps(const Account& account, const Wording& w, Instant now, Instant from) {
  const Policy& policy = w.policy;
  std::vector<NextStep> steps;
  if (!account.grace_end) return steps;
  const std::string end_day = w.long_date(*account.grace_end);
  if (*account.grace_end <= now)
    return {{now, w.say("suppression à la prochaine purge de nuit (le délai de grâce a pris fin le ",
                        "deletion at the next nightly purge (the grace period ended on ") + end_day + ")"}};
  bool due_at_from = false;
  for (const CalendarSpan& offset : policy.reminders) {
    Instant at = add_span(*account.grace_end, offset, policy.zone, -1);
    bool pending = !account.reminded || approximate_length(offset) < approximate_length(*account.reminded);
    if (!pending || at >= *account.grace_end) continue;
    if (at <= from) due_at_from = true;
    else steps.push_back({at, w.say("rappel le ", "reminder on ") + w.long_date(at)});
  }
  if (deletion_date_untold(account, policy) && account.told_deletion_date)
    steps.push_back({from, w.say("la nouvelle date de suppression (", "the new deletion date (") + end_day +
                               w.say(") envoyée à la personne ", ") sent to the person ") + when(from, now, w)});
  else if (due_at_from)
    steps.push_back({from, w.say("rappel ", "reminder ") + when(from, now, w)});
  steps.push_back({*account.grace_end, w.say("suppression dans la nuit du ", "deletion in the night of ") + end_day});
  return steps;
}

// A DELETE sent, no outcome yet (a lost answer, a purge killed): the stack
// may still be deleting; a purge from the next night reads it back.
std::vector<NextStep> deletion_unanswered(const Account& account, const Wording& w) {
  std::string what = w.say("suppression envoyée au serveur, sans réponse : la purge de nuit suivante vérifie "
                           "si elle a eu lieu",
                           "deletion sent to the stack, no answer: the next nightly purge reads back whether it "
                           "happened");
  if (!account.hold_reasons.empty())
    what += w.say(" ; si elle n'a pas eu lieu, le compte est suspendu (",
                  "; if it did not happen, the account is held (") +
            account.hold_reasons.front() + ")";
  return {{std::nullopt, what}};
}

std::vector<NextStep> waiting_for_a_person(const Account& account, const std::string& what, const Wording& w) {
  return {{std::nullopt, what + reason_in_words(account, w)}};
}

std::vector<NextStep> first_step(const Account& account, Instant now, const Wording& w) {
  std::string what = account.action == Action::export_ || account.fallback_export
                         ? w.say("l'export", "export")
                     : account.admin_move ? w.say("le déménagement vers ", "move to ") + account.target_host
                                          : w.say("l'invitation à déménager", "move invitation to the person");
  return {{account.due_at, what + w.say(" commence ", " starts ") + when(account.due_at, now, w)}};
}

std::vector<NextStep> invited_steps(const Account& account, const Wording& w) {
  std::vector<NextStep> steps{{account.due_at, w.say("en attente du déménagement de l'espace par la personne",
                                                     "waiting for the person to move the space")}};
  if (account.move_deadline)
    steps.push_back({account.move_deadline, w.say("export à la place si pas déménagé d'ici le ",
                                                  "export instead if not moved by ") +
                                                w.long_date(*account.move_deadline)});
  return steps;
}

std::vector<NextStep> notified_steps(const Account& account, const Wording& w, Instant now) {
  Instant departure = local_midnight(account.departure_date, w.policy.zone);
  std::vector<NextStep> steps;
  if (departure > now) steps.push_back({departure, w.say("départ le ", "departure on ") + w.long_date(departure)});
  for (NextStep& step : deletion_steps(account, w, now, std::max(now, departure))) steps.push_back(std::move(step));
  return steps;
}

std::vector<NextStep> verified_steps(const Account& account, const Wording& w, Instant now) {
  std::vector<NextStep> steps{{account.due_at, w.say("message à la personne ", "notice to the person ") +
                                                   when(account.due_at, now, w)}};
  const Instant from = std::max(now, local_midnight(account.departure_date, w.policy.zone));
  for (NextStep& step : deletion_steps(account, w, now, from)) steps.push_back(std::move(step));
  return steps;
}

std::vector<NextStep> steps_in_state(const Account& account, const Wording& w, Instant now) {
  switch (account.state) {
    case State::queued: return first_step(account, now, w);
    case State::exporting:
      return {{account.due_at, w.say("export en cours sur le serveur ; redemandé sans résultat d'ici le ",
                                     "export under way on the stack; asked again if no result by ") +
                                   (account.due_at ? w.long_date(*account.due_at) : w.say("son échéance", "its deadline"))}};
    case State::verifying:
      return {{account.due_at, w.say("les parties de l'export sont téléchargées et vérifiées",
                                     "the export's parts are being downloaded and checked")}};
    case State::moving:
      return {{account.due_at, w.say("déménagement en cours vers ", "move under way to ") + account.target_host}};
    case State::invited: return invited_steps(account, w);
    case State::retry_wait:
      return {{account.due_at, w.say("nouvel essai de ", "retry of ") +
                                   std::string(to_string(account.retry_step.value_or(State::queued))) + " " +
                                   when(account.due_at, now, w) + reason_in_words(account, w)}};
    case State::verified: return verified_steps(account, w, now);
    case State::notified: return notified_steps(account, w, now);
    case State::grace: return deletion_steps(account, w, now, now);
    case State::purge_due:
      if (account.delete_in_flight) return deletion_unanswered(account, w);
      return {{now, w.say("suppression à la prochaine purge de nuit (le délai de grâce a pris fin",
                          "deletion at the next nightly purge (the grace period ended") +
                        (account.grace_end ? w.say(" le ", " on ") + w.long_date(*account.grace_end) : std::string()) +
                        ")"}};
    case State::held:
      return waiting_for_a_person(account, w.say("rien ne se passe tant que la suspension n'est pas levée",
                                                 "nothing happens until the hold is lifted"), w);
    case State::failed:
      return waiting_for_a_person(account, w.say("rien ne se passe tant qu'une personne ne relance ou n'annule pas",
                                                 "nothing happens until a person retries or cancels it"), w);
    case State::purged: return {{std::nullopt, w.say("rien : l'espace est supprimé", "nothing: the space is deleted")}};
    case State::cancelled:
      return {{std::nullopt, w.say("rien : le compte est annulé", "nothing: the account is cancelled")}};
    case State::no_space:
      return {{std::nullopt, w.say("rien : le serveur n'a pas d'espace pour ce domaine",
                                   "nothing: the stack has no space for this domain")}};
  }
  return {};
}

void soonest_first(std::vector<NextStep>& steps) {
  std::stable_sort(steps.begin(), steps.end(), [](const NextStep& a, const NextStep& b) {
    return a.at.has_value() && (!b.at.has_value() || *a.at < *b.at);
  });
}

}  // namespace

void add_access_end(std::vector<NextStep>& steps, Instant until, const Policy& policy, Instant now,
                    std::string_view lang) {
  const Wording w{policy, lang};
  const std::string when_text = until <= now ? w.say("à la prochaine exécution", "at the next run")
                                             : w.say("à la première exécution après le ", "at the first run after ") +
                                                   w.long_date(until);
  steps.push_back({until, w.say("l'ancien espace, ouvert par l'assistance, est de nouveau bloqué ",
                                "the old space, opened by the desk, is blocked again ") +
                              when_text});
  soonest_first(steps);
}

std::vector<NextStep> next_steps(const Account& account, const Policy& policy, Instant now, std::string_view lang) {
  const Wording w{policy, lang};
  std::vector<NextStep> steps = steps_in_state(account, w, now);
  if (account.state == State::held && account.grace_end)
    steps.push_back({std::nullopt, w.say("suppression pas avant le ", "deletion not before ") +
                                       w.long_date(*account.grace_end) +
                                       w.say(" (plus tard si reprise après cette date)", " (later if released after it)")});
  soonest_first(steps);
  return steps;
}

std::string next_steps_in_words(const std::vector<NextStep>& steps) {
  std::string text;
  for (const NextStep& step : steps) text += (text.empty() ? "" : "; ") + step.text;
  return text;
}

}  // namespace passage
