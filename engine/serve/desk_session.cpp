#include "engine/serve/desk_session.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "engine/serve/token.hpp"
#include "engine/store/sha256.hpp"

namespace passage {

bool same_secret(std::string_view given, std::string_view expected) {
  // Hashing first gives two strings of one length: the comparison's time
  // tells nothing about the expected secret's length either.
  const std::string a = sha256_hex(given);
  const std::string b = sha256_hex(expected);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

DeskSession SessionStore::open(const std::string& agent, Instant now) {
  forget_idle(now);
  DeskSession session{random_token(24), agent, random_token(24), now};
  m_sessions[session.id] = session;
  return session;
}

std::optional<DeskSession> SessionStore::find(std::string_view id, Instant now) {
  auto found = m_sessions.find(id);
  if (found == m_sessions.end()) return std::nullopt;
  if (now - found->second.last_seen >= m_idle) {
    m_sessions.erase(found);
    return std::nullopt;
  }
  found->second.last_seen = now;
  return found->second;
}

void SessionStore::close(std::string_view id) {
  auto found = m_sessions.find(id);
  if (found != m_sessions.end()) m_sessions.erase(found);
  auto flash = m_flashes.find(id);
  if (flash != m_flashes.end()) m_flashes.erase(flash);
}

void SessionStore::close_unless(const std::function<bool(const std::string& agent)>& keep) {
  std::erase_if(m_sessions, [&](const auto& entry) { return !keep(entry.second.agent); });
  std::erase_if(m_flashes, [&](const auto& entry) { return !m_sessions.contains(entry.first); });
}

void SessionStore::set_flash(std::string_view id, DeskFlash flash) {
  if (m_sessions.find(id) != m_sessions.end()) m_flashes[std::string(id)] = std::move(flash);
}

std::optional<DeskFlash> SessionStore::take_flash(std::string_view id) {
  auto found = m_flashes.find(id);
  if (found == m_flashes.end()) return std::nullopt;
  DeskFlash flash = std::move(found->second);
  m_flashes.erase(found);
  return flash;
}

void SessionStore::forget_idle(Instant now) {
  std::erase_if(m_sessions, [&](const auto& entry) { return now - entry.second.last_seen >= m_idle; });
  std::erase_if(m_flashes, [&](const auto& entry) { return !m_sessions.contains(entry.first); });
}

bool csrf_ok(const DeskSession& session, std::string_view given) {
  return !given.empty() && same_secret(given, session.csrf);
}

bool LoginLimiter::allowed(const std::string& address, Instant now) {
  auto found = m_failures.find(address);
  if (found == m_failures.end()) return true;
  forget_old(found->second, now);
  if (found->second.empty()) {
    m_failures.erase(found);
    return true;
  }
  return static_cast<int>(found->second.size()) < m_max;
}

void LoginLimiter::record_failure(const std::string& address, Instant now) {
  auto& failures = m_failures[address];
  forget_old(failures, now);
  failures.push_back(now);
}

void LoginLimiter::forget_old(std::deque<Instant>& failures, Instant now) const {
  while (!failures.empty() && now - failures.front() >= m_window) failures.pop_front();
}

bool valid_agent_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

}  // namespace passage
