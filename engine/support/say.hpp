#pragma once
// The support texts in the academy's language (config notify.language):
// each sentence is written once, its French and English side by side where
// it is made, and `say` picks one. French unless the language is "en".

#include <string>
#include <string_view>

namespace passage {

inline std::string say(std::string_view lang, std::string_view french, std::string_view english) {
  return std::string(lang == "en" ? english : french);
}

}  // namespace passage
