#pragma once
// The French page behind a personal download link: the account's archived
// parts with their sizes and the link's expiry. Self-contained HTML (UTF-8,
// inline CSS, no script), every value HTML-escaped.

#include <cstdint>
#include <string>
#include <vector>

namespace passage {

struct PagePart {
  std::string name;  // the file name offered for download
  std::string href;  // relative link to the part
  std::int64_t bytes = 0;
};

struct DownloadPage {
  std::string domain;
  std::string expires;  // "15 janvier 2027 à 14:00"
  std::vector<PagePart> parts;
};

std::string render_download_page(const DownloadPage& page);

// The one answer for every unknown, expired or removed link (and any other
// path): the same bytes whatever the reason.
std::string not_found_page();

// 1234567 → "1,2 Mo" (decimal units, French).
std::string french_size(std::int64_t bytes);

}  // namespace passage
