#include "plugins/backends/dry_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <openssl/evp.h>

#include "engine/sched/request_gate.hpp"

namespace passage {

namespace asio = boost::asio;

namespace dry_run {

namespace {

constexpr std::uint64_t k_fnv_offset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t k_fnv_prime = 0x100000001b3ULL;
constexpr std::int64_t k_gib = std::int64_t{1} << 30;

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
  for (unsigned char c : text) hash = (hash ^ c) * k_fnv_prime;
  return hash;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t draw_bits(std::uint64_t seed, std::string_view domain, std::string_view what,
                        std::uint64_t attempt) {
  // The NUL separator keeps ("ab", "c") and ("a", "bc") apart.
  std::uint64_t hash = fnv1a(domain, k_fnv_offset);
  hash = fnv1a(std::string_view("\0", 1), hash);
  hash = fnv1a(what, hash);
  return splitmix64(splitmix64(hash ^ splitmix64(seed)) ^ attempt);
}

double draw(std::uint64_t seed, std::string_view domain, std::string_view what,
            std::uint64_t attempt) {
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(draw_bits(seed, domain, what, attempt) >> 11) * 0x1.0p-53;
}

std::int64_t export_part_size(std::int64_t disk_used) {
  const double gib = static_cast<double>(std::max<std::int64_t>(disk_used, 0)) / k_gib;
  return static_cast<std::int64_t>(std::max(1.0, std::sqrt(gib)) * k_gib);
}

int export_part_count(std::int64_t disk_used) {
  if (disk_used <= 0) return 1;
  const std::int64_t size = export_part_size(disk_used);
  return static_cast<int>((disk_used + size - 1) / size);
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace dry_run

namespace {

constexpr std::int64_t k_max_disk_used = 5'000'000'000;  // the 5 GB quota
constexpr std::int64_t k_min_entry_bytes = 64 * 1024;
constexpr std::int64_t k_entry_bytes_spread = 960 * 1024;

std::string hex64(std::uint64_t bits) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(bits));
  return text;
}

}  // namespace

DryRunBackend::DryRunBackend(const BackendContext& context)
    : m_io(context.io),
      m_options(context.stack.dry_run),
      m_clock(context.clock),
      m_gate(context.gate) {}

asio::awaitable<Outcome<InstanceInfo>> DryRunBackend::lookup(std::string domain) {
  if (auto failure = co_await perform(domain, "lookup")) co_return *failure;
  InstanceInfo info;
  info.moved = has_moved(domain);
  info.disk_used = disk_used(domain);
  co_return info;
}

asio::awaitable<Outcome<QueuedExport>> DryRunBackend::request_export(std::string domain) {
  if (auto failure = co_await perform(domain, "request_export")) co_return *failure;
  co_return QueuedExport{m_clock.now()};
}

asio::awaitable<Outcome<ExportDone>> DryRunBackend::await_export(std::string domain, Instant /*since*/,
                                                                 Instant deadline) {
  // A request this stack refuses for good never produced an export: the
  // same answer as the refusal (a run resumed after a crash then ends like
  // one that was not interrupted).
  if (draw(domain, "request_export/permanent", 0) < m_options.permanent_failure_rate)
    co_return Failure{Failure::Kind::permanent, "dry-run permanent failure", std::nullopt};
  const int attempt = next_attempt(domain, "await_export");
  const Millis duration = drawn_duration(domain, "await_export", attempt);
  const Instant now = m_clock.now();
  if (now + duration > deadline) {
    co_await sleep_for(std::max(deadline - now, Millis{0}));
    co_return Failure{Failure::Kind::retryable, "export_deadline", std::nullopt};
  }
  co_await sleep_for(duration);
  ExportDone done;
  done.export_id = "dry-" + hex64(dry_run::draw_bits(m_options.seed, domain, "export_id",
                                                     static_cast<std::uint64_t>(attempt)));
  done.total_size = disk_used(domain);
  done.parts = dry_run::export_part_count(done.total_size);
  co_return done;
}

asio::awaitable<Outcome<std::optional<Evidence>>> DryRunBackend::check_move(std::string domain,
                                                                            std::string,
                                                                            Backend&) {
  if (draw(domain, "move_to/permanent", 0) < m_options.permanent_failure_rate)
    co_return Failure{Failure::Kind::permanent, "dry-run permanent failure", std::nullopt};
  co_return std::optional<Evidence>(Evidence{"moved", {}, {}, {}, {}});
}

asio::awaitable<Outcome<Done>> DryRunBackend::clear_deleting(std::string domain) {
  if (auto failure = co_await perform(domain, "clear_deleting")) co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Evidence>> DryRunBackend::fetch_export(FetchRequest request) {
  const int parts = std::max(request.export_done.parts, 1);
  if (auto failure = co_await perform(request.domain, "fetch_export", parts)) co_return *failure;
  co_return export_evidence(request);
}

asio::awaitable<Outcome<date::year_month_day>> DryRunBackend::last_activity(std::string domain) {
  if (auto failure = co_await perform(domain, "last_activity")) co_return *failure;
  co_return date::year_month_day{date::year{2018}, date::January, date::day{1}};
}

asio::awaitable<Outcome<Done>> DryRunBackend::delete_instance(std::string domain) {
  if (auto failure = co_await perform(domain, "delete_instance")) co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Done>> DryRunBackend::import_from(std::string domain, std::string /*manifest_url*/,
                                                          std::function<bool()> go_ahead) {
  if (!go_ahead()) co_return Failure{FailureKind::retryable, "import not sent: withdrawn before sending", {}};
  if (auto failure = co_await perform(domain, "import_from")) co_return *failure;
  co_return Done{};
}

asio::awaitable<Outcome<Done>> DryRunBackend::set_block(std::string domain, std::string) {
  if (auto failure = co_await perform(domain, "set_block")) co_return *failure;
  co_return Done{};
}

asio::awaitable<std::optional<Outcome<Evidence>>> DryRunBackend::stand_in_move(std::string domain) {
  if (auto failure = co_await perform(domain, "move_to"))
    co_return std::optional<Outcome<Evidence>>(*failure);
  Evidence evidence;
  evidence.kind = "moved";
  co_return std::optional<Outcome<Evidence>>(evidence);
}

void DryRunBackend::expect_user_move(const std::string& domain) {
  m_invited.try_emplace(domain, m_clock.now());  // a reminder does not restart the delay
}

int DryRunBackend::next_attempt(const std::string& domain, std::string_view operation) {
  return m_attempts[domain + '\n' + std::string(operation)]++;
}

// `requests` gated requests in a row (a download is one per part), then the
// operation's drawn outcome.
asio::awaitable<std::optional<Failure>> DryRunBackend::perform(const std::string& domain,
                                                               std::string_view operation,
                                                               int requests) {
  const int attempt = next_attempt(domain, operation);
  for (int n = 0; n < requests; ++n) {
    GateTicket ticket = co_await m_gate.enter();
    const std::string what = std::string(operation) + "/duration/" + std::to_string(n);
    co_await sleep_for(drawn_duration(domain, what, attempt));
  }
  co_return drawn_failure(domain, operation, attempt);
}

asio::awaitable<void> DryRunBackend::sleep_for(Millis duration) {
  asio::steady_timer timer(m_io, duration);
  boost::system::error_code ignored;  // cancelled early: the outcome is the same
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

std::optional<Failure> DryRunBackend::drawn_failure(const std::string& domain,
                                                    std::string_view operation,
                                                    int attempt) const {
  const std::string op(operation);
  if (draw(domain, op + "/permanent", 0) < m_options.permanent_failure_rate)
    return Failure{Failure::Kind::permanent, "dry-run permanent failure", std::nullopt};
  if (draw(domain, op + "/transient", attempt) < m_options.transient_failure_rate)
    return Failure{Failure::Kind::retryable, "dry-run transient failure", std::nullopt};
  return std::nullopt;
}

Millis DryRunBackend::drawn_duration(const std::string& domain, std::string_view what,
                                     int attempt) const {
  const int low = std::max(m_options.min_duration_ms, 0);
  const int high = std::max(m_options.max_duration_ms, low);
  const auto span = static_cast<double>(high - low + 1);
  const auto extra = static_cast<int>(draw(domain, what, attempt) * span);
  return Millis{std::min(low + extra, high)};
}

double DryRunBackend::draw(const std::string& domain, std::string_view what, int attempt) const {
  return dry_run::draw(m_options.seed, domain, what, static_cast<std::uint64_t>(attempt));
}

std::int64_t DryRunBackend::disk_used(const std::string& domain) const {
  return static_cast<std::int64_t>(draw(domain, "disk_used", 0) *
                                   static_cast<double>(k_max_disk_used));
}

bool DryRunBackend::has_moved(const std::string& domain) const {
  const auto invited = m_invited.find(domain);
  if (invited == m_invited.end()) return false;
  if (draw(domain, "never_move", 0) < m_options.never_move_rate) return false;
  return m_clock.now() >= invited->second + drawn_duration(domain, "move_delay", 0);
}

Evidence DryRunBackend::export_evidence(const FetchRequest& request) const {
  const ExportDone& done = request.export_done;
  const int parts = std::max(done.parts, 1);
  const std::int64_t total = std::max<std::int64_t>(done.total_size, 0);
  const std::int64_t part_size = (total + parts - 1) / parts;
  Evidence evidence;
  evidence.kind = "export";
  evidence.export_id = done.export_id;
  for (int n = 0; n < parts; ++n) {
    PartEvidence part;
    part.n = n;
    part.bytes = std::clamp<std::int64_t>(total - n * part_size, 0, part_size);
    const std::string name = request.domain + "/" + done.export_id + "/" + std::to_string(n);
    const double entry_bytes = k_min_entry_bytes + draw(request.domain, name, 0) *
                                                       static_cast<double>(k_entry_bytes_spread);
    part.entries = 1 + static_cast<std::int64_t>(static_cast<double>(part.bytes) / entry_bytes);
    part.sha256 = dry_run::sha256_hex(name);
    // Every byte of a dry-run space is a file (disk_usage(): files == used).
    part.content.files = part.entries;
    part.content.file_bytes = part.bytes;
    evidence.content += part.content;
    evidence.parts.push_back(std::move(part));
  }
  evidence.usage = request.usage;
  return evidence;
}

std::unique_ptr<Backend> make_dry_run_backend(const BackendContext& context) {
  return std::make_unique<DryRunBackend>(context);
}

}  // namespace passage
