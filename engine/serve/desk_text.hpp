#pragma once
// Text helpers of the desk page, pure: HTML escaping (every value on a
// page goes through it), form and query decoding, cookies.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace passage {

// `text` with & < > " ' escaped: safe in element content and in quoted
// attribute values. One escaping for the HTML report and the desk: it is
// defined with the report's charts (plugins/reporters/html_chart.cpp).
std::string html_escape(std::string_view text);

// "a=1&b=x+y%21" → {a: "1", b: "x y!"} (application/x-www-form-urlencoded;
// the same decoding for a query string). A name given twice keeps the
// first value; a malformed %-escape is kept as it is.
std::map<std::string, std::string> form_fields(std::string_view encoded);

// `text` %-encoded for a query value (unreserved characters kept).
std::string url_encode(std::string_view text);

// The value of cookie `name` in a Cookie header ("a=1; sid=xyz").
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace passage
