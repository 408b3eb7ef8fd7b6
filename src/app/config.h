// Server configuration. Precedence: command-line flags > environment
// (GONGHUI_*) > defaults. `serve` with no flags runs on SQLite in ./data and
// listens on 127.0.0.1:8080.
#pragma once

#include <filesystem>
#include <string>

namespace gh::app {

struct TopOrg {
  std::string name = "中华全国总工会";
  std::string level = "national";
  std::string region = "000000";
};

struct Config {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string db;                      // URL; empty = sqlite under data_dir
  std::filesystem::path data_dir = "data";
  std::string web_root;                // empty = located near the binary
  bool demo = false;
  std::string admin_password;          // first start only; empty = random, printed once
  TopOrg top_org;
  int io_threads = 2;
  // Handler threads mostly wait for a group commit: as many as 64 writes can
  // then share one fsync (16 capped flash-claim batches at 16, half the rate).
  int worker_threads = 64;
  std::string keys_file;               // empty = <data_dir>/keys.json
  std::string access_log = "stderr";   // stderr, off, or a file path (one JSON line per request)

  std::string db_url() const;
  std::filesystem::path keys_path() const;
  // Fills empty fields from GONGHUI_* environment variables.
  void apply_env();
};

}  // namespace gh::app
