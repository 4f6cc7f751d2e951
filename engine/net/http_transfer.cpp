#include "engine/net/http_transfer.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

namespace passage::net_detail {

void init_curl_once() {
  static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)k_init;
}

namespace {

// All the header lines of one exchange (1xx answers included).
constexpr std::size_t k_headers_max = 256 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(std::string_view value) {
  return lower(trim(value.substr(0, value.find(';'))));
}

// A Content-Length header's value; nullopt when absent or unreadable.
std::optional<std::int64_t> content_length(const std::map<std::string, std::string>& headers) {
  const auto found = headers.find("content-length");
  if (found == headers.end() || found->second.empty() || found->second.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : found->second) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// A hostile peer chooses the header: only printable ASCII, bounded, is shown.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

Transfer::Transfer(HttpRequest request) : m_request(std::move(request)) {}

Transfer::~Transfer() {
  if (m_easy) curl_easy_cleanup(m_easy);
  curl_slist_free_all(m_header_list);
}

CURL* Transfer::release_easy() {
  CURL* easy = m_easy;
  m_easy = nullptr;
  return easy;
}

bool Transfer::prepare(CURL* easy) {
  m_easy = easy;
  if (!m_easy) {
    fail("cannot create a libcurl handle");
    return false;
  }
  bool ok = true;
  const auto set = [&](CURLoption option, auto value) {
    if (curl_easy_setopt(m_easy, option, value) != CURLE_OK) ok = false;
  };
  set(CURLOPT_PRIVATE, static_cast<void*>(this));
  set(CURLOPT_ERRORBUFFER, m_error_text);
  set(CURLOPT_URL, m_request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_USERAGENT, "passage");
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  set(CURLOPT_WRITEFUNCTION, &Transfer::on_write);
  set(CURLOPT_WRITEDATA, static_cast<void*>(this));
  set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(this));
  if (!m_request.idempotent) {
    // The debug callback is how we learn that some request bytes left
    // before a failure (the effect of a write is then unknown); it sees the
    // Authorization header too, and never prints anything. Only writes need
    // it: for a read, a resend is harmless and libcurl's request size says
    // enough, and verbose mode formats a text for every step of a transfer.
    set(CURLOPT_DEBUGFUNCTION, &Transfer::on_debug);
    set(CURLOPT_DEBUGDATA, static_cast<void*>(this));
    set(CURLOPT_VERBOSE, 1L);
    // libcurl silently resends a request on a reused connection that turns
    // out dead: never for one whose effect must happen at most once.
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_FORBID_REUSE, 1L);
  }
  if (!m_request.basic_password.empty()) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set(CURLOPT_USERNAME, "");
    set(CURLOPT_PASSWORD, m_request.basic_password.c_str());
  }
  if (!ok) {
    fail("libcurl refused an option");
    return false;
  }
  return apply_limits() && apply_method() && apply_headers();
}

bool Transfer::apply_limits() {
  bool ok = true;
  const auto set = [&](CURLoption option, long value) {
    if (curl_easy_setopt(m_easy, option, value) != CURLE_OK) ok = false;
  };
  if (m_request.connect_timeout > Millis(0))
    set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_request.connect_timeout.count()));
  if (m_request.stall_timeout > Millis(0)) {
    // libcurl counts the low-speed window in whole seconds.
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(m_request.stall_timeout);
    set(CURLOPT_LOW_SPEED_LIMIT, 1L);
    set(CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(seconds.count())));
  }
  if (m_request.total_timeout > Millis(0))
    set(CURLOPT_TIMEOUT_MS, static_cast<long>(m_request.total_timeout.count()));
  if (!ok) fail("libcurl refused a timeout");
  return ok;
}

bool Transfer::apply_method() {
  const std::string& method = m_request.method;
  if (!is_token(method)) {
    fail("invalid HTTP method");
    return false;
  }
  CURLcode code = CURLE_OK;
  if (method == "GET" && m_request.body.empty()) {
    code = curl_easy_setopt(m_easy, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    code = curl_easy_setopt(m_easy, CURLOPT_NOBODY, 1L);
  } else {
    const bool sends_body =
        !m_request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (sends_body) {
      // POSTFIELDS is not copied: it points into m_request, which outlives
      // the easy handle.
      code = curl_easy_setopt(m_easy, CURLOPT_POSTFIELDSIZE_LARGE,
                              static_cast<curl_off_t>(m_request.body.size()));
      if (code == CURLE_OK) code = curl_easy_setopt(m_easy, CURLOPT_POSTFIELDS, m_request.body.data());
    }
    if (code == CURLE_OK && method != "POST")
      code = curl_easy_setopt(m_easy, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (code != CURLE_OK) fail("libcurl refused the method");
  return code == CURLE_OK;
}

bool Transfer::apply_headers() {
  bool has_content_type = false;
  const auto append = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(m_header_list, line.c_str());
    if (grown) m_header_list = grown;
    return grown != nullptr;
  };
  for (const auto& [name, value] : m_request.headers) {
    if (!is_token(name) || has_line_break(value)) {
      fail("invalid request header");
      return false;
    }
    has_content_type = has_content_type || lower(name) == "content-type";
    // "Name;" is libcurl's spelling of a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      fail("out of memory");
      return false;
    }
  }
  // No "Expect: 100-continue" round trip; no invented form content type.
  if (!append("Expect:") || (!has_content_type && !append("Content-Type:"))) {
    fail("out of memory");
    return false;
  }
  if (curl_easy_setopt(m_easy, CURLOPT_HTTPHEADER, m_header_list) != CURLE_OK) {
    fail("libcurl refused the headers");
    return false;
  }
  return true;
}

void Transfer::note_sent() {
  if (!m_easy) return;
  // Either libcurl's count of request bytes written or our own sighting of
  // outgoing bytes (on_debug) means the server may have acted on it.
  long request_size = 0;
  curl_easy_getinfo(m_easy, CURLINFO_REQUEST_SIZE, &request_size);
  m_response.request_sent = m_sent || request_size > 0;
  long status = 0;
  if (curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
    m_response.status = static_cast<int>(status);
}

void Transfer::finish(CURLcode code) {
  note_sent();
  if (code == CURLE_OK) return;
  m_response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  m_response.refused = m_refusal;
  if (m_aborted) {
    m_response.error = "aborted by caller";
  } else if (m_refusal == HttpRefusal::too_large) {
    m_response.error = "answer larger than its limit";
  } else if (m_refusal == HttpRefusal::wrong_type) {
    m_response.error = "answer of content type " + m_refused_type;
  } else {
    m_response.error = curl_easy_strerror(code);
    if (m_error_text[0] != '\0') m_response.error += std::string(": ") + m_error_text;
  }
}

void Transfer::fail(std::string error) {
  note_sent();
  m_response.error = std::move(error);
}

std::size_t Transfer::on_write(char* data, std::size_t size, std::size_t count, void* self) {
  try {
    return static_cast<Transfer*>(self)->take_body(std::string_view(data, size * count));
  } catch (...) {
    static_cast<Transfer*>(self)->m_aborted = true;
    return 0;
  }
}

std::size_t Transfer::take_body(std::string_view chunk) {
  m_response.body_bytes += static_cast<std::int64_t>(chunk.size());
  long status = 0;
  curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
  const bool success = status >= 200 && status < 300;
  if (!success) {
    // An error body only explains the status: keep its head, drop the rest.
    const std::size_t room = k_error_body_kept - std::min(k_error_body_kept, m_response.body.size());
    m_response.body.append(chunk.substr(0, room));
    return chunk.size();
  }
  if (!accept_success_headers() || !within_limit()) return 0;
  if (m_request.on_body) {
    if (m_request.on_body(chunk)) return chunk.size();
    m_aborted = true;
    return 0;
  }
  m_response.body.append(chunk);
  return chunk.size();
}

std::int64_t Transfer::body_limit() const {
  return m_request.on_body ? m_request.max_streamed : static_cast<std::int64_t>(m_request.max_collected);
}

bool Transfer::accept_success_headers() {
  if (m_headers_checked) return m_refusal == HttpRefusal::none;
  m_headers_checked = true;
  const auto& headers = m_response.headers;
  if (const auto type = headers.find("content-type"); type != headers.end() && !m_request.content_types.empty()) {
    const std::string got = media_type(type->second);
    const auto& accepted = m_request.content_types;
    if (std::find(accepted.begin(), accepted.end(), got) == accepted.end()) {
      m_refusal = HttpRefusal::wrong_type;
      m_refused_type = printable(got);
      return false;
    }
  }
  const std::int64_t limit = body_limit();
  if (const auto length = content_length(headers); limit > 0 && length && *length > limit) {
    m_refusal = HttpRefusal::too_large;
    return false;
  }
  return true;
}

bool Transfer::within_limit() {
  // body_bytes already counts this chunk.
  const std::int64_t limit = body_limit();
  if (limit <= 0 || m_response.body_bytes <= limit) return true;
  m_refusal = HttpRefusal::too_large;
  return false;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  try {
    if (!static_cast<Transfer*>(self)->take_header(std::string_view(data, size * count))) return 0;
  } catch (...) {
    return 0;
  }
  return size * count;
}

bool Transfer::take_header(std::string_view line) {
  m_header_bytes += line.size();
  if (m_header_bytes > k_headers_max) {
    m_refusal = HttpRefusal::too_large;
    return false;
  }
  if (line.starts_with("HTTP/")) {
    m_response.headers.clear();  // a new response (after a 1xx) starts afresh
    return true;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return true;
  m_response.headers[lower(trim(line.substr(0, colon)))] = std::string(trim(line.substr(colon + 1)));
  return true;
}

int Transfer::on_debug(CURL*, curl_infotype type, char*, std::size_t size, void* self) {
  if (size > 0 && (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT || type == CURLINFO_SSL_DATA_OUT))
    static_cast<Transfer*>(self)->m_sent = true;
  return 0;
}

}  // namespace passage::net_detail
