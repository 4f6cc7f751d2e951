#pragma once
// One libcurl easy handle and everything it writes into: the request it
// sends, the response it fills. No Asio here: http.cpp drives the multi
// handle; this file only speaks to libcurl, and no exception leaves any of
// its C callbacks.

#include <string>

#include <curl/curl.h>

#include "engine/net/http.hpp"

namespace passage::net_detail {

// curl_global_init, once per process (thread-safe).
void init_curl_once();

class Transfer {
 public:
  explicit Transfer(HttpRequest request);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Configures `easy` (fresh from curl_easy_init or curl_easy_reset), which
  // the transfer owns from here. False when it is null or libcurl refuses
  // the request (the reason is then in the response's error).
  bool prepare(CURL* easy);
  CURL* easy() const { return m_easy; }
  // Gives the easy handle back once the transfer is over (finish() or
  // fail() already read what they need from it); null when none.
  CURL* release_easy();

  // Records libcurl's verdict on a finished transfer.
  void finish(CURLcode code);
  // Ends the transfer without libcurl's verdict (cancelled, shut down).
  void fail(std::string error);

  HttpResponse take_response() { return std::move(m_response); }

 private:
  static std::size_t on_write(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static int on_debug(CURL* easy, curl_infotype type, char* data, std::size_t size, void* self);

  std::size_t take_body(std::string_view chunk);
  // A 2xx body's headers against the request's limits, once, before its
  // first byte is taken; false refuses it (m_refusal says why).
  bool accept_success_headers();
  bool within_limit();
  std::int64_t body_limit() const;  // 0: none
  bool take_header(std::string_view line);  // false: headers over their limit
  bool apply_method();
  bool apply_headers();
  bool apply_limits();
  void note_sent();

  HttpRequest m_request;
  HttpResponse m_response;
  CURL* m_easy = nullptr;
  curl_slist* m_header_list = nullptr;
  char m_error_text[CURL_ERROR_SIZE] = {};
  bool m_sent = false;
  bool m_aborted = false;
  bool m_headers_checked = false;
  std::size_t m_header_bytes = 0;
  HttpRefusal m_refusal = HttpRefusal::none;
  std::string m_refused_type;
};

}  // namespace passage::net_detail
