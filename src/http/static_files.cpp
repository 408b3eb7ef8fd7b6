// Static files. The path arrives percent-decoded from the server, so "%2e%2e"
// and "%2f" have already become "." and "/" and are caught by the segment
// check below; the canonical-path check then catches symlinks that point
// outside the root.
#include "http/static_files.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

namespace gh::http {
namespace fs = std::filesystem;

namespace {

struct TypeEntry {
  std::string_view ext;
  std::string_view type;
};
constexpr TypeEntry kTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
    {"txt", "text/plain; charset=utf-8"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"xml", "application/xml"},
    {"pdf", "application/pdf"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

// Single-page apps with history-mode routing: a path under the prefix that
// names no file gets the app's index.html.
constexpr std::string_view kSpaApps[] = {"admin", "m"};

std::string_view extension_of(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

// Vite names built assets "<name>-<hash>.<ext>" under assets/, the hash being
// 8 or more base64url characters; such a file never changes content.
bool is_hashed_asset(const std::vector<std::string_view>& segs) {
  if (segs.size() < 2 || segs[segs.size() - 2] != "assets") return false;
  std::string_view name = segs.back();
  auto dot = name.find('.');
  std::string_view stem = name.substr(0, dot);
  for (size_t dash = stem.find('-'); dash != std::string_view::npos;
       dash = stem.find('-', dash + 1)) {
    std::string_view tail = stem.substr(dash + 1);
    if (tail.size() < 8) break;
    bool ok = true;
    for (char c : tail)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '-'))
        ok = false;
    if (ok) return true;
  }
  return false;
}

// True when `p` (canonical) lies inside `root` (canonical).
bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), re = root.end();
  auto i = p.begin(), ie = p.end();
  for (; r != re; ++r, ++i) {
    if (i == ie || *i != *r) return false;
  }
  return true;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  std::error_code ec;
  auto size = fs::file_size(p, ec);
  if (!ec) data.reserve(size);
  data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return data;
}

}  // namespace

std::string_view content_type_for(std::string_view extension) {
  std::string lower(extension);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto& t : kTypes)
    if (t.ext == lower) return t.type;
  return "application/octet-stream";
}

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  if (root.empty()) return;
  auto canon = fs::canonical(root, ec);
  if (!ec && fs::is_directory(canon, ec)) root_ = std::move(canon);
}

std::optional<Response> StaticFiles::serve(std::string_view path) const {
  if (root_.empty() || path.empty() || path.front() != '/') return std::nullopt;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos)
    return std::nullopt;
  if (path == "/") {
    Response r = Response::text(302, "", "");
    r.headers.emplace_back("Location", "/admin/");
    return r;
  }

  std::vector<std::string_view> segs;
  bool trailing_slash = path.back() == '/';
  for (size_t pos = 1; pos < path.size();) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    // No "..", no ".", no empty segments ("//"): only one spelling of each file.
    if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
    segs.push_back(seg);
    pos = slash + 1;
  }
  if (segs.empty()) return std::nullopt;

  fs::path rel;
  for (auto s : segs) rel /= fs::path(std::string(s));
  fs::path candidate = root_ / rel;

  auto try_file = [&](const fs::path& file, bool hashed) -> std::optional<Response> {
    std::error_code ec;
    fs::path canon = fs::canonical(file, ec);
    if (ec || !inside(root_, canon) || !fs::is_regular_file(canon, ec)) return std::nullopt;
    auto data = read_file(canon);
    if (!data) return std::nullopt;
    std::string name = canon.filename().string();
    Response r =
        Response::text(200, std::move(*data), std::string(content_type_for(extension_of(name))));
    if (hashed)
      r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    else if (extension_of(name) == "html")
      r.headers.emplace_back("Cache-Control", "no-cache");
    else
      r.headers.emplace_back("Cache-Control", "public, max-age=300");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  };

  std::error_code ec;
  if (!trailing_slash) {
    fs::path canon = fs::canonical(candidate, ec);
    if (!ec && inside(root_, canon)) {
      if (fs::is_directory(canon, ec)) {
        // /admin → /admin/ so the app's relative URLs resolve.
        if (fs::exists(canon / "index.html", ec)) {
          Response r = Response::text(302, "", "");
          r.headers.emplace_back("Location", std::string(path) + "/");
          return r;
        }
        return std::nullopt;
      }
      if (auto r = try_file(canon, is_hashed_asset(segs))) return r;
    } else if (!ec) {
      return std::nullopt;  // a symlink out of the root: never fall back
    }
  } else {
    if (auto r = try_file(candidate / "index.html", false)) return r;
  }

  // History-mode fallback: /admin/members/42 → /admin/index.html, but only
  // for paths that do not look like files (a missing .js stays a 404).
  for (auto app : kSpaApps) {
    if (segs.front() != app) continue;
    if (!trailing_slash && !extension_of(segs.back()).empty()) return std::nullopt;
    return try_file(root_ / std::string(app) / "index.html", false);
  }
  return std::nullopt;
}

fs::path StaticFiles::locate(const fs::path& exe, std::string_view flag) {
  if (!flag.empty()) return fs::path(flag);
  if (const char* env = std::getenv("GONGHUI_WEB_ROOT"); env && *env) return fs::path(env);
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(exe, ec).parent_path();
  if (ec) dir = exe.parent_path();
  for (const fs::path& c :
       {dir / ".." / "share" / "gonghui" / "web", dir / "web", dir / ".." / "web" / "dist"}) {
    if (fs::is_directory(c, ec)) return fs::weakly_canonical(c, ec);
  }
  return {};
}

}  // namespace gh::http
