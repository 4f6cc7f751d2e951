#pragma once
// What an export part holds, checked entry by entry (issue 11, COZY.md
// "The data route can lie"). cozy-stack writes each file's metadata
// (`My Cozy/Data/io.cozy.files/<id>.json`: `size` as a string, `md5sum` in
// base64) just before its content (`My Cozy/Files/<path>`); an old version's
// metadata (`My Cozy/Data/io.cozy.files.versions/<id>.json`) just before its
// content (`My Cozy/Files/<id>`). A copy that fails midway still ends with a
// valid zip: only the metadata tells that a content is short or missing.
//
// Fed in archive order, one entry at a time, without holding any content:
// begin(name), data(bytes)..., end(), and finish() after the last entry.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/store/digest.hpp"

namespace passage {

struct PartContent {
  ContentTotals totals;
  // Files whose content is missing, short, or not the promised bytes
  // ("<path or id>: <why>"), at most k_max_named; `problems` counts them all.
  std::vector<std::string> named;
  std::vector<std::string> files;  // the same files, by name only
  // Bytes of the JSON documents the export job wrote (instance.json, the
  // other doctypes, the directories): every `My Cozy/Data/` entry but the
  // files' and versions' metadata, which the stack writes at download
  // time. In a whole first part they add up to the export's total_size.
  std::int64_t document_bytes = 0;
  std::int64_t problems = 0;
  bool complete() const { return problems == 0; }

  static constexpr std::size_t k_max_named = 20;
};

class PartContentCheck {
 public:
  void begin(std::string_view name);
  // False once a content is longer than its metadata announced: reads are
  // bounded by the announced sizes, the caller stops reading the entry.
  bool data(const char* bytes, std::size_t size);
  void end();
  // After the last entry: a metadata entry still waiting for its content
  // counts as missing.
  PartContent finish();

 private:
  enum class EntryKind { other, file_meta, version_meta, content };
  struct Promise {
    bool version = false;
    std::string id;     // the document id
    std::string label;  // how the person would know it (the file name)
    std::int64_t size = 0;
    std::string md5_base64;
  };

  void meta_ended();
  void content_ended();
  void missing(const Promise& promise);
  void problem(std::string text, std::string file);

  EntryKind m_kind = EntryKind::other;
  std::string m_name;
  std::string m_meta;        // the current metadata entry's JSON
  bool m_meta_too_big = false;
  Md5 m_md5;
  std::int64_t m_content_bytes = 0;
  std::int64_t m_entry_bytes = 0;  // the current entry's, whatever its kind
  std::optional<Promise> m_promise;  // metadata seen, content expected next
  PartContent m_result;
};

}  // namespace passage
