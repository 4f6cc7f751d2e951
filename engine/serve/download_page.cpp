// Rendered by kainjow/mustache with its HTML escaping left on: the domain
// and file names come from the stack and the accounts file.

#include "engine/serve/download_page.hpp"

#include <cstdio>
#include <stdexcept>

#include <kainjow/mustache.hpp>

namespace passage {

namespace {

namespace mustache = kainjow::mustache;

constexpr const char* k_style =
    "body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
    "color:#1b1b1b;line-height:1.5}h1{font-size:1.4em}ul{padding-left:1.2em}"
    "li{margin:.4em 0}a{color:#0b5394}.note{color:#555;font-size:.9em}";

constexpr const char* k_page = R"(<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Votre archive MyToutatice</title>
<style>{{{style}}}</style>
</head>
<body>
<h1>Votre archive MyToutatice</h1>
<p>Voici l'archive complète de votre espace <strong>{{domain}}</strong> :
{{count}} fichier{{#plural}}s{{/plural}}, {{total}} au total.
{{#plural}}Téléchargez-les tous : ensemble, ils forment votre archive.{{/plural}}</p>
<ul>
{{#parts}}
<li><a href="{{href}}" download="{{name}}">{{name}}</a> ({{size}})</li>
{{/parts}}
</ul>
<p>Ce lien personnel est valable jusqu'au <strong>{{expires}}</strong>.</p>
<p class="note">Ce lien vous est réservé : merci de ne pas le transmettre.</p>
</body>
</html>
)";

constexpr const char* k_not_found = R"(<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex, nofollow">
<title>Lien introuvable</title>
</head>
<body>
<h1>Lien introuvable</h1>
<p>Ce lien n'existe pas ou n'est plus valable. Si vous avez besoin de votre
archive, contactez l'assistance de votre académie.</p>
</body>
</html>
)";

}  // namespace

std::string french_size(std::int64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + " octet" + (bytes > 1 ? "s" : "");
  const char* units[] = {"ko", "Mo", "Go", "To"};
  double value = static_cast<double>(bytes) / 1000.0;
  int unit = 0;
  while (value >= 999.95 && unit < 3) {
    value /= 1000.0;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  std::string number = text;
  if (number.ends_with(".0")) number.resize(number.size() - 2);
  for (char& c : number)
    if (c == '.') c = ',';
  return number + "\u00a0" + units[unit];
}

std::string render_download_page(const DownloadPage& page) {
  mustache::data parts{mustache::data::type::list};
  std::int64_t total = 0;
  for (const PagePart& part : page.parts) {
    mustache::data item{mustache::data::type::object};
    item.set("name", part.name);
    item.set("href", part.href);
    item.set("size", french_size(part.bytes));
    parts.push_back(item);
    total += part.bytes;
  }
  mustache::data data{mustache::data::type::object};
  data.set("style", std::string(k_style));
  data.set("domain", page.domain);
  data.set("count", std::to_string(page.parts.size()));
  data.set("plural", page.parts.size() > 1 ? mustache::data(true) : mustache::data(false));
  data.set("total", french_size(total));
  data.set("expires", page.expires);
  data.set("parts", parts);
  mustache::mustache tmpl{std::string(k_page)};
  if (!tmpl.is_valid()) throw std::logic_error("download page: " + tmpl.error_message());
  return tmpl.render(data);
}

std::string not_found_page() { return k_not_found; }

}  // namespace passage
