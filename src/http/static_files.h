// Serves the built web app: /admin/ and /m/ (single-page apps with
// history-mode fallback to their index.html), hashed assets with long-lived
// caching, correct content types, and no path traversal.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "http/http.h"

namespace gh::http {

class StaticFiles {
 public:
  // root: the folder holding the built app (index.html at its top,
  // admin/, m/, assets/ …). A missing folder serves nothing.
  explicit StaticFiles(std::filesystem::path root);

  // The response for a GET/HEAD of `path`, or nothing when no file applies.
  std::optional<Response> serve(std::string_view path) const;

  // Finds the web root for a binary at `exe`: the --web-root flag wins,
  // then GONGHUI_WEB_ROOT, then share/gonghui/web and web/dist near the
  // executable.
  static std::filesystem::path locate(const std::filesystem::path& exe, std::string_view flag);

 private:
  std::filesystem::path root_;
};

std::string_view content_type_for(std::string_view extension);

}  // namespace gh::http
