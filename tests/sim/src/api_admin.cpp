// Handlers of the admin API routes.
#include "api.hpp"
#include "render.hpp"
#include "zip_stream.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {
namespace {

constexpr const char* k_jsonapi = "application/vnd.api+json";

std::optional<std::int64_t> to_int64(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The trash's share of the files, as drawn for the space.
std::int64_t trashed_bytes(const Profile& p, std::int64_t files) {
  return static_cast<std::int64_t>(static_cast<double>(files) * static_cast<double>(p.trashed) /
                                   static_cast<double>(std::max<std::int64_t>(1, p.used)));
}

// A space never imported: what an export of it serves now, and its drawn document count.
ContentUsage served_usage(const Profile& p, std::int64_t used, double size_scale, const FileChanges* changes) {
  const SpaceUsage served = space_usage(used, p.key, size_scale, changes);
  return {served.files, served.versions, served.versions_count, p.doc_count};
}

// Where truncate_part cuts a zip: once 30-70 % of its content went in.
std::int64_t truncation_point(const std::vector<ZipEntry>& entries, Rng& rng) {
  std::int64_t total = 0;
  for (const auto& x : entries)  // a metadata document is rendered later: count ~400 bytes for it
    total += x.is_generated() ? x.size : x.render ? 400 : static_cast<std::int64_t>(x.text.size());
  return std::max<std::int64_t>(10, static_cast<std::int64_t>(static_cast<double>(total) * (0.3 + 0.4 * rng.uniform())));
}

// A half-deleted instance's databases are gone: the views and documents the
// route reads answer CouchDB's not_found, which the stack passes on.
Response no_database() { return error_response(404, "not_found", "Database does not exist."); }

}  // namespace

Response Api::list(const Request& req) {
  std::int64_t limit = 100;
  if (auto l = query_param(req.target, "page[limit]")) {
    auto v = to_int64(*l);
    if (!v || *v == 0) return error_response(400, "Bad Request", "page[limit] must be a positive integer");
    limit = std::min<std::int64_t>(*v, 1000);
  }
  std::uint32_t from = 0;
  if (auto c = query_param(req.target, "page[cursor]"); c && !c->empty()) {
    auto v = c->size() > 1 && (*c)[0] == 'i' ? to_int64(c->substr(1)) : std::nullopt;
    if (!v) return error_response(400, "Bad Request", "bad page[cursor]");
    from = static_cast<std::uint32_t>(std::min<std::int64_t>(*v, m_world.population_size()));
  }
  json::array data;
  std::uint32_t i = from;
  for (; i < m_world.population_size() && static_cast<std::int64_t>(data.size()) < limit; ++i)
    if (m_world.is_live(i)) data.push_back(instance_resource(m_world.view(i), false));
  while (i < m_world.population_size() && !m_world.is_live(i)) ++i;
  json::object doc{{"data", std::move(data)}, {"meta", {{"count", m_world.live_count()}}}};
  json::object links;
  if (i < m_world.population_size())
    links["next"] = "/instances?page[cursor]=i" + std::to_string(i) + "&page[limit]=" + std::to_string(limit);
  doc["links"] = std::move(links);
  return json_response(200, json::serialize(doc), k_jsonapi);
}

Response Api::get(const Ticket& t) {
  if (!is_well_formed_domain(t.domain)) return error_response(422, "Unprocessable Entity", "invalid domain");
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  m_world.note_admin_get(*index);
  return json_response(200, instance_document(m_world.view(*index), false), k_jsonapi);
}

Response Api::disk_usage(const Ticket& t, const Request& req) {
  auto index = m_world.find(t.domain);
  if (!index) return json_response(500, R"({"error":"Instance not found"})");  // the stack's quirk: 500
  // FilesUsage and VersionsUsage read their views, DBStatus io.cozy.files.
  if (m_world.database_gone(*index, "io.cozy.files") || m_world.database_gone(*index, "io.cozy.files.versions"))
    return no_database();
  const auto v = m_world.view(*index);
  const Profile& p = v.profile;
  // An imported space reports what its imports restored; any other one the
  // content bytes an export of it serves, so a client can check an export
  // for completeness.
  // The VFS sums the documents as they are now: changed files included.
  ContentUsage u = v.imported ? *v.imported
                              : served_usage(p, v.used, m_world.options().size_scale, m_world.file_changes(*index));
  json::object o{{"used", std::to_string(v.used)}};
  auto put = [&](const char* key, std::int64_t n) {
    if (n != 0) o[key] = std::to_string(n);
  };
  put("quota", v.quota);
  put("files", u.files);
  put("versions", u.versions);
  if (u.doc_count != 0) o["doc_count"] = u.doc_count;
  put("versions_count", u.versions_count);
  if (auto inc = query_param(req.target, "include"); inc && *inc == "trash")
    put("trashed", v.imported ? 0 : trashed_bytes(p, u.files));
  return json_response(200, json::serialize(o));
}

Response Api::last_activity(const Ticket& t) {
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  // The logins and the OAuth clients must be there; the sessions may not
  // (an instance never onboarded has none): their last-seen dates are lost.
  if (m_world.database_gone(*index, "io.cozy.sessions.logins") || m_world.database_gone(*index, "io.cozy.oauth.clients"))
    return no_database();
  return json_response(200, R"({"last-activity":")" + m_world.last_activity(*index) + "\"}");
}

Response Api::patch(const Ticket& t, const Request& req) {
  if (!is_well_formed_domain(t.domain)) return error_response(422, "Unprocessable Entity", "invalid domain");
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  World::Patch p;
  auto flag = [&](const char* name, std::optional<bool>& out) {
    auto v = query_param(req.target, name);
    if (!v || v->empty()) return true;
    out = parse_go_bool(*v);
    return out.has_value();
  };
  if (!flag("Blocked", p.blocked) || !flag("Deleting", p.deleting))
    return error_response(400, "Bad Request", "Blocked and Deleting take a boolean");
  if (auto v = query_param(req.target, "BlockingReason"); v && !v->empty()) p.blocking_reason = *v;
  if (auto v = query_param(req.target, "Locale"); v && !v->empty()) p.locale = *v;
  if (auto v = query_param(req.target, "DiskQuota"); v && !v->empty()) {
    p.disk_quota = to_int64(*v);
    if (!p.disk_quota) return error_response(422, "Unprocessable Entity", "DiskQuota must be a number of bytes");
  }
  m_world.patch(*index, p);
  return json_response(200, instance_document(m_world.view(*index), true), k_jsonapi);
}

Response Api::export_post(const Ticket& t, const Request& req) {
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  auto raw = query_param(req.target, "admin-req");
  auto admin_req = parse_go_bool(raw.value_or(""));
  if (!admin_req)  // strconv.ParseBool's error reaches the generic handler
    return error_response(500, "Unqualified error",
                          "strconv.ParseBool: parsing \"" + raw.value_or("") + "\": invalid syntax");
  const auto job = m_world.request_export(*index, *admin_req, World::ExportOrigin::admin_api);
  return json_response(202, job_document(job, t.domain, *admin_req, m_world.now_ms()));
}

namespace {

// Keeps the entries copyJSONData streams from the job's archive (the
// documents written as text, before the first file), or none.
void keep_archive_only(std::vector<ZipEntry>& entries, bool archive) {
  std::size_t end = 0;
  while (archive && end < entries.size() && !entries[end].text.empty()) ++end;
  entries.resize(end);
}

}  // namespace

Response Api::part(std::uint32_t index, const ExportDoc& e, const Request& req, bool may_truncate, bool replaced) {
  std::size_t k = 0;
  if (auto c = query_param(req.target, "cursor"); c && !c->empty()) {
    const auto& cursors = e.plan.cursors;
    auto it = std::find(cursors.begin(), cursors.end(), *c);
    if (it == cursors.end()) return error_response(400, "Bad Request", "invalid cursor");
    k = static_cast<std::size_t>(it - cursors.begin()) + 1;
  }
  change_files_before_listing(index);
  const std::string domain = m_world.domain(index);
  // Part 0 holds the documents as the job wrote them, not as they are now.
  const std::string documents = e.instance_json.empty() ? m_world.instance_json(index) : e.instance_json;
  // Unreadable contents are the space's, not the request's: every route skips them.
  const PartContentInput in{documents,           part_share(e.plan, k),
                            m_world.profile(index).key, e.created_ms, m_faults.skip_file_content,
                            m_world.file_changes(index), file_range(e.plan, k), e.plan.parts[k],
                            version_range(e.plan, k)};
  PartGaps gaps;
  auto entries = part_entries(in, &gaps);
  std::size_t skipped = gaps.skipped, destroyed = gaps.destroyed;
  // copyJSONData fails on the missing archive before any entry, and the
  // deferred zip.Writer.Close still writes an empty, well-formed zip.
  if (replaced && k == 0) entries.clear();
  // Half deleted past io.cozy.files: the export's archive stays (the
  // stack's global `exports` store, which Destroy leaves): part 0 streams
  // its JSON documents, then copyFiles fails on the missing io.cozy.files
  // and the deferred Close ends the zip; other parts are empty. Short of
  // io.cozy.files, the files are all there (VFS().Delete() comes last).
  const bool gone = m_world.database_gone(index, "io.cozy.files");
  if (gone) keep_archive_only(entries, k == 0 && !replaced);
  std::optional<std::int64_t> cut;
  bool missing = false;
  if (may_truncate && m_world.rng().chance(m_faults.truncate_part)) {
    cut = truncation_point(entries, m_world.rng());
  } else if (may_truncate && m_world.rng().chance(m_faults.part_missing_entries)) {
    cut_part_midway(entries, m_world.rng().next());  // a well-formed zip, as the stack's deferred Close leaves it
    missing = true;
  }
  if ((replaced && k == 0) || gone) skipped = destroyed = 0;
  const bool incomplete = cut || missing;
  const bool changed =
      !incomplete && m_world.rng().chance(m_faults.edit_during_download) && edit_midway(index, entries);
  Response r;
  r.content_type = "application/zip";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + part_file_name(domain, k, e.plan.declared.size()) + "\"");
  r.stream = std::make_unique<ZipStream>(
      std::move(entries), e.created_ms / 1000, cut,
      [this, index, id = e.id, k, incomplete, replaced, skipped, destroyed, gone, changed](bool sent) {
        if (incomplete && sent) ++m_stats.parts_incomplete_served;
        if (changed && sent) ++m_stats.contents_changed_midway;
        if (destroyed > 0 && sent && !incomplete) ++m_stats.snapshot_files_missing_served;
        if (sent && !incomplete) m_stats.contents_skipped_served += skipped;
        if (replaced) {  // never a read of the latest export, whatever it holds
          if (sent) ++m_stats.replaced_parts_served;
          return;
        }
        // A part that is incomplete, lacks contents the stack skipped or lost,
        // or files of the export's snapshot destroyed since, is never read.
        m_world.part_read(index, id, k, sent && !incomplete && skipped == 0 && destroyed == 0 && !gone && !changed);
      });
  return r;
}

// files_change, files_change_by_person: a konnector, a sharing or the
// person changes one file of the space just before the part lists its files.
void Api::change_files_before_listing(std::uint32_t index) {
  using Op = World::FileOp;
  static constexpr Op k_ops[] = {Op::create, Op::destroy, Op::move, Op::rename};
  const bool by_konnector = m_world.rng().chance(m_faults.files_change);
  const bool by_person = !by_konnector && m_world.rng().chance(m_faults.files_change_by_person);
  if (!by_konnector && !by_person) return;
  m_world.change_files(index, k_ops[m_world.rng().next() % std::size(k_ops)], 1, by_person);
}

// A file written while its part streams (edit_during_download): its
// metadata went out; without a version kept, its old content object is
// gone before copyFiles opens it (left out: true); with one kept, the old
// content streams (false). The edit stays. False when the part holds no
// file content.
bool Api::edit_midway(std::uint32_t index, std::vector<ZipEntry>& entries) {
  static const std::string k_meta = "My Cozy/Data/io.cozy.files/";
  std::vector<std::size_t> contents;  // content entries right after a file's metadata
  for (std::size_t i = 1; i < entries.size(); ++i)
    if (entries[i].is_generated() && entries[i].path.rfind("My Cozy/Files/", 0) == 0 &&
        entries[i - 1].path.rfind(k_meta, 0) == 0)
      contents.push_back(i);
  if (contents.empty()) return false;
  const std::size_t at = contents[m_world.rng().next() % contents.size()];
  const std::string& meta = entries[at - 1].path;
  const std::string id = meta.substr(k_meta.size(), meta.size() - k_meta.size() - 5);  // minus ".json"
  // With the old content kept as a version, its object stays under the
  // name copyFiles opens: the part streams the old content, as its metadata says.
  if (m_world.edit_file(index, id) != World::EditOutcome::content_replaced) return false;
  entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

Response Api::import(const Ticket& t, const Request& req) {
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  m_world.request_import(*index, query_param(req.target, "manifest_url").value_or(""));
  Response r;
  r.status = 204;
  return r;
}

Response Api::del(const Ticket& t) {
  auto index = m_world.find(t.domain);
  if (!index) return error_response(404, "Not Found", "Instance not found");
  std::int64_t delay = m_world.rng().between(m_world.options().delete_ms.lo, m_world.options().delete_ms.hi);
  // delete_hang: Destroy waits on the konnectors' clean-up for minutes; the
  // client that gives up meanwhile does not stop it (the server finishes
  // the deletion whether or not anyone is still there to read the answer).
  if (m_world.rng().chance(m_faults.delete_hang.rate)) delay = m_faults.delete_hang.ms;
  switch (m_world.begin_delete(*index, delay)) {
    case World::DeleteStart::already_requested:
      return error_response(500, "Internal Server Error", "deletion already requested");
    case World::DeleteStart::during_tail: return delete_again(*index);
    case World::DeleteStart::started: break;
  }
  Response r;
  r.delay_ms = delay;
  r.finish = [this, index = *index, domain = t.domain, arrived = t.arrived] {
    switch (m_world.finish_delete(index)) {
      case World::DeleteEnd::stuck:
        return error_response(500, "Internal Server Error", "konnector cleanup failed: deletion interrupted");
      case World::DeleteEnd::half:  // Destroy's error reaches the generic handler
        return half_deleted_error(index);
      case World::DeleteEnd::deleted: break;
    }
    m_stats.deleted_by.push_back({domain, arrived});
    Response done;
    done.status = 204;
    return done;
  };
  return r;
}

// A DELETE while another one removes the databases and files (its flag
// already cleared): the stack runs a second Destroy, which finds the
// accounts gone, and ends with the first: 204 once the instance document is
// gone (instance.Delete's not-found path), the first one's error otherwise.
Response Api::delete_again(std::uint32_t index) {
  ++m_stats.deletes_during_removal;
  return answer_after_first_delete(index);
}

// Waits for the first DELETE's end: its timer started a moment after its
// end was computed, so it may fire after ours (a slow build showed it).
Response Api::answer_after_first_delete(std::uint32_t index) {
  Response r;
  r.delay_ms = m_world.delete_remaining_ms(index) + 1;
  r.finish = [this, index] {
    if (m_world.delete_running(index)) return answer_after_first_delete(index);
    if (m_world.is_live(index)) return half_deleted_error(index);
    Response done;
    done.status = 204;
    return done;
  };
  return r;
}

// DeleteAllDBs' error on the database it stopped at, or VFS().Delete()'s
// once they are all gone.
Response Api::half_deleted_error(std::uint32_t index) const {
  const auto removed = m_world.databases_removed(index);
  if (removed >= k_instance_databases.size())
    return error_response(500, "Unqualified error", "Could not delete VFS: swift: Internal Server Error");
  return error_response(500, "Unqualified error",
                        "CouchDB(internal_server_error): deleting " + std::string(k_instance_databases[removed]));
}

}  // namespace sim
