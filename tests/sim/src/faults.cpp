#include "faults.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {
namespace {

struct Bad {
  std::string what;
};

double number(const json::value& v, const std::string& key) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  throw Bad{key + ": expected a number"};
}

double rate(const json::value& v, const std::string& key) {
  const double r = number(v, key);
  if (r < 0 || r > 1) throw Bad{key + ": a rate must be within 0..1"};
  return r;
}

std::int64_t count(const json::value& v, const std::string& key) {
  const double n = number(v, key);
  if (n < 0) throw Bad{key + ": must not be negative"};
  return static_cast<std::int64_t>(n);
}

bool flag(const json::value& v, const std::string& key) {
  if (!v.is_bool()) throw Bad{key + ": expected true or false"};
  return v.as_bool();
}

const json::object& object(const json::value& v, const std::string& key) {
  if (!v.is_object()) throw Bad{key + ": expected an object"};
  return v.as_object();
}

template <class Fn>
void each(const json::object& o, const std::string& prefix, Fn&& fn) {
  for (const auto& kv : o) {
    const std::string key = prefix + std::string(kv.key());
    if (!fn(std::string(kv.key()), kv.value(), key)) throw Bad{key + ": unknown key"};
  }
}

void read_latency(const json::value& v, Faults::Latency& l) {
  each(object(v, "latency_ms"), "latency_ms.", [&](const std::string& k, const json::value& x, const std::string& full) {
    if (k == "min") l.min = count(x, full);
    else if (k == "max") l.max = count(x, full);
    else if (k == "rate") l.rate = rate(x, full);
    else return false;
    return true;
  });
  if (l.max < l.min) throw Bad{"latency_ms: max must be >= min"};
}

void read_stall(const json::value& v, const std::string& name, Faults::Stall& s) {
  each(object(v, name), name + ".", [&](const std::string& k, const json::value& x, const std::string& full) {
    if (k == "rate") s.rate = rate(x, full);
    else if (k == "ms") s.ms = count(x, full);
    else return false;
    return true;
  });
}

void read_throttle(const json::value& v, Faults::Throttle& t) {
  each(object(v, "throttle"), "throttle.", [&](const std::string& k, const json::value& x, const std::string& full) {
    if (k == "status") t.status = static_cast<int>(count(x, full));
    else if (k == "rate") t.rate = rate(x, full);
    else if (k == "retry_after_s") t.retry_after_s = count(x, full);
    else return false;
    return true;
  });
  if (t.status != 429 && t.status != 503) throw Bad{"throttle.status: must be 429 or 503"};
}

bool read_rate(const std::string& k, const json::value& x, Faults& f) {
  const std::pair<const char*, double*> rates[] = {
      {"http_5xx", &f.http_5xx},
      {"reset_before", &f.reset_before},
      {"reset_after", &f.reset_after},
      {"truncate_part", &f.truncate_part},
      {"part_missing_entries", &f.part_missing_entries},
      {"skip_file_content", &f.skip_file_content},
      {"edit_during_download", &f.edit_during_download},
      {"files_change", &f.files_change},
      {"files_change_by_person", &f.files_change_by_person},
      {"export_silent_fail", &f.export_silent_fail},
      {"export_error", &f.export_error},
      {"export_never_finish", &f.export_never_finish},
      {"delete_stuck", &f.delete_stuck},
      {"delete_half", &f.delete_half},
      {"import_never_finish", &f.import_never_finish}};
  for (const auto& [name, target] : rates)
    if (k == name) return *target = rate(x, k), true;
  return false;
}

}  // namespace

std::optional<Faults> parse_faults(const std::string& text, std::string& error) {
  Faults f;
  try {
    boost::system::error_code ec;
    const json::value root = json::parse(text, ec);
    if (ec) throw Bad{"not valid JSON: " + ec.message()};
    each(object(root, "faults"), "", [&](const std::string& k, const json::value& x, const std::string&) {
      if (read_rate(k, x, f)) return true;
      if (k == "latency_ms") read_latency(x, f.latency_ms);
      else if (k == "stall_ms") read_stall(x, k, f.stall_ms);
      else if (k == "part_stall_ms") read_stall(x, k, f.part_stall_ms);
      else if (k == "delete_hang") read_stall(x, k, f.delete_hang);
      else if (k == "throttle") read_throttle(x, f.throttle);
      else if (k == "ws_drop_every_s") f.ws_drop_every_s = static_cast<double>(count(x, k));
      else if (k == "max_rps") f.max_rps = static_cast<double>(count(x, k));
      else if (k == "global_db_missing") f.global_db_missing = flag(x, k);
      else return false;
      return true;
    });
  } catch (const Bad& bad) {
    error = bad.what;
    return std::nullopt;
  }
  return f;
}

std::string faults_to_json(const Faults& f) {
  json::object throttle{{"status", f.throttle.status}, {"rate", f.throttle.rate}};
  if (f.throttle.retry_after_s) throttle["retry_after_s"] = *f.throttle.retry_after_s;
  json::object o{
      {"latency_ms", {{"min", f.latency_ms.min}, {"max", f.latency_ms.max}, {"rate", f.latency_ms.rate}}},
      {"http_5xx", f.http_5xx},
      {"reset_before", f.reset_before},
      {"reset_after", f.reset_after},
      {"stall_ms", {{"rate", f.stall_ms.rate}, {"ms", f.stall_ms.ms}}},
      {"part_stall_ms", {{"rate", f.part_stall_ms.rate}, {"ms", f.part_stall_ms.ms}}},
      {"truncate_part", f.truncate_part},
      {"part_missing_entries", f.part_missing_entries},
      {"skip_file_content", f.skip_file_content},
      {"edit_during_download", f.edit_during_download},
      {"files_change", f.files_change},
      {"files_change_by_person", f.files_change_by_person},
      {"ws_drop_every_s", f.ws_drop_every_s},
      {"export_silent_fail", f.export_silent_fail},
      {"export_error", f.export_error},
      {"export_never_finish", f.export_never_finish},
      {"delete_stuck", f.delete_stuck},
      {"delete_half", f.delete_half},
      {"delete_hang", {{"rate", f.delete_hang.rate}, {"ms", f.delete_hang.ms}}},
      {"import_never_finish", f.import_never_finish},
      {"throttle", std::move(throttle)},
      {"max_rps", f.max_rps},
      {"global_db_missing", f.global_db_missing}};
  return json::serialize(o);
}

}  // namespace sim
