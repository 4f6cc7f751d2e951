// Downloading and verifying an export's parts (CONTRACT.md "Archive
// verification"): each part streamed to a `.part` file with SHA-256 per
// chunk, checked with libarchive on the pool, downloaded again when bad
// (3 tries), kept in the account's archive folder only once valid.

#include <optional>

#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "engine/archive/archive_paths.hpp"
#include "engine/archive/part_limits.hpp"
#include "engine/env/faults.hpp"
#include "engine/sched/request_gate.hpp"
#include "plugins/backends/cozy_admin.hpp"
#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace asio = boost::asio;

namespace {

constexpr int k_part_tries = 3;

std::string part_name(const std::string& export_id, int n) { return archive_part_name(export_id, n); }

// The media types a part may be labelled with.
std::vector<std::string> zip_content_types() {
  return {"application/zip", "application/x-zip-compressed", "application/octet-stream"};
}

Failure part_too_large(int n, std::int64_t max_bytes) {
  return Failure{FailureKind::permanent,
                 std::string(k_part_too_large) + ": part " + std::to_string(n) + " over " +
                     std::to_string(max_bytes) + " bytes, more than the space holds",
                 {}};
}

// One failure for every part whose contents are incomplete: the reasons
// joined, the files in part order.
void add_incomplete(std::optional<Failure>& all, const Failure& part) {
  if (!all) {
    all = part;
    return;
  }
  all->reason += "; " + part.reason;
  all->incomplete_files.insert(all->incomplete_files.end(), part.incomplete_files.begin(),
                               part.incomplete_files.end());
}

// A first part whose JSON documents (instance.json, the other doctypes,
// the directories) do not add up to the export's total_size, which is
// exactly their size (COZY.md "The data route can lie"): why, else nullopt.
// A total_size of 0 (absent) says nothing.
std::optional<std::string> documents_gap(const PartContent& content, std::int64_t total_size) {
  if (total_size <= 0 || content.document_bytes == total_size) return std::nullopt;
  return std::string(k_evidence_incomplete) + ": the first part holds " + std::to_string(content.document_bytes) +
         " of the " + std::to_string(total_size) + " bytes of documents the export wrote (total_size)";
}

}  // namespace

asio::awaitable<Outcome<Evidence>> CozyAdminBackend::fetch_export(FetchRequest request) {
  std::error_code io_error;
  std::filesystem::create_directories(request.work_dir, io_error);
  if (io_error)
    co_return local_write_failure("cannot create " + request.work_dir.string() + ": " + io_error.message());
  Evidence evidence{"export", request.export_done.export_id, {}, {}, {}};
  std::optional<Failure> incomplete;
  for (int n = 0; n < std::max(1, request.export_done.parts); ++n) {
    PartEvidence part;
    auto outcome = co_await fetch_part(request, n, part);
    if (!outcome.ok() && outcome.failure().incomplete_files.empty()) co_return outcome;
    if (!outcome.ok()) {
      // Files missing from a well-formed part (the stack skips what it
      // cannot read): the later parts are checked too, so that every
      // missing file is named, not only the first part's.
      add_incomplete(incomplete, outcome.failure());
      continue;
    }
    evidence.content += part.content;
    evidence.parts.push_back(part);
  }
  if (incomplete) co_return *incomplete;
  evidence.usage = request.usage;
  if (request.delivery == "archive") {
    // Renamed into place only now that every part is valid.
    const std::filesystem::path& folder = request.archive_folder;
    std::filesystem::create_directories(folder, io_error);
    if (io_error) co_return local_write_failure("cannot create " + folder.string() + ": " + io_error.message());
    for (const PartEvidence& part : evidence.parts) {
      std::string name = part_name(evidence.export_id, part.n);
      std::filesystem::rename(request.work_dir / (request.domain + "-" + name + ".part"), folder / name, io_error);
      if (io_error)
        co_return local_write_failure("cannot move a part into " + folder.string() + ": " + io_error.message());
    }
  }
  co_return evidence;
}

asio::awaitable<Outcome<Evidence>> CozyAdminBackend::fetch_part(const FetchRequest& request, int n,
                                                                PartEvidence& evidence) {
  const ExportDone& done = request.export_done;
  std::string path = "/instances/" + request.domain + "/exports/" + done.export_id + "/data";
  if (n > 0 && static_cast<std::size_t>(n) <= done.parts_cursors.size())
    path += "?cursor=" + boost::urls::encode(done.parts_cursors[static_cast<std::size_t>(n - 1)],
                                           boost::urls::unreserved_chars);
  std::filesystem::path file = request.work_dir / (request.domain + "-" + part_name(done.export_id, n) + ".part");
  const PartLimits limits = part_limits(request.usage, done.total_size);
  std::string last_problem;
  std::vector<std::string> incomplete_files;
  for (int attempt = 0; attempt < k_part_tries; ++attempt) {
    PartWriter writer(file);
    HttpRequest http;
    http.url = url(path);
    http.basic_password = m_stack.passphrase.reveal();
    http.on_body = [&writer](std::string_view chunk) { return writer.write(chunk); };
    http.max_streamed = limits.max_bytes;
    http.content_types = zip_content_types();
    HttpResponse response;
    if (faults::fail(faults::Site::part_download)) {
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
      co_return Failure{FailureKind::retryable, faults::reason(faults::Site::part_download), {}};
    }
    {
      GateTicket ticket = co_await m_gate.enter();
      response = co_await m_http.perform(std::move(http));
    }
    PartWriter::Written written = writer.finish();
    if (!written.ok) {
      // The disk refused the part (full, read-only): the transfer was cut by
      // us, not by the stack, so this is what failed.
      std::error_code ignored;
      std::filesystem::remove(file, ignored);
      co_return local_write_failure(writer.problem());
    }
    if (response.refused == HttpRefusal::too_large) {
      std::filesystem::remove(file);
      co_return part_too_large(n, limits.max_bytes);
    }
    if (auto failure = classify_response(response, CallKind::read, m_clock.now())) {
      std::filesystem::remove(file);
      co_return *failure;  // the core retries (404: the export is gone, export again)
    }
    ZipCheck check = co_await m_checks.check(file, n == 0, limits.max_uncompressed);
    if (!check.refused.empty()) {
      // A hostile part, not a damaged one: downloading it again will not help.
      std::filesystem::remove(file);
      co_return Failure{FailureKind::permanent, check.problem, {}};
    }
    if (n == 0 && check.well_formed && check.entries == 0) {
      // A replaced export: the stack removed its archive, and its first
      // part streams an empty zip (COZY.md "The data route can lie"). As
      // for a 404, the export is gone: export again.
      std::filesystem::remove(file);
      co_return Failure{FailureKind::not_found, "export " + done.export_id + " was replaced: its first part is empty", {}};
    }
    if (check.valid && n == 0) {
      if (auto short_documents = documents_gap(check.content, done.total_size)) {
        // Well-formed, but the copy of the job's documents stopped early:
        // in a space without files nothing else would tell.
        last_problem = *short_documents;
        continue;
      }
    }
    if (check.valid) {
      evidence = PartEvidence{n, written.bytes, check.entries, written.sha256, check.content.totals};
      if (request.delivery != "archive") std::filesystem::remove(file);
      co_return Evidence{};
    }
    last_problem = check.problem;
    incomplete_files = check.content.files;
  }
  std::filesystem::remove(file);
  Failure failure{FailureKind::retryable,
                  "part " + std::to_string(n) + " invalid after " + std::to_string(k_part_tries) +
                      " downloads: " + last_problem,
                  {}};
  failure.incomplete_files = std::move(incomplete_files);
  co_return failure;
}

}  // namespace passage
