// gonghui (工惠): the smart trade-union platform server.
//
// This file is the whole wiring: configuration → keys → store → audit →
// sessions → modules' routes → middleware pipeline → HTTP server. Nothing
// registers itself; every module is mounted here.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/bootstrap.h"
#include "app/config.h"
#include "app/demo.h"
#include "app/loadtest.h"
#include "audit/audit.h"
#include "audit/routes.h"
#include "auth/authenticator.h"
#include "auth/routes.h"
#include "auth/sessions.h"
#include "core/crypto.h"
#include "core/error.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "core/card_token.h"
#include "modules/aid/routes.h"
#include "modules/campaign/routes.h"
#include "modules/card/routes.h"
#include "modules/ledger/ledger.h"
#include "modules/ledger/routes.h"
#include "modules/member/roster.h"
#include "modules/member/routes.h"
#include "modules/offer/routes.h"
#include "modules/org/routes.h"
#include "modules/relief/routes.h"
#include "modules/system/routes.h"
#include "modules/unit/routes.h"

namespace {

using namespace gh;

struct Opened {
  crypto::Keys keys;
  std::unique_ptr<db::Store> store;
};

Opened open_store(const app::Config& cfg) {
  crypto::init();
  std::filesystem::create_directories(cfg.data_dir);
  Opened o{crypto::Keys::load_or_create(cfg.keys_path()), db::Store::open({.url = cfg.db_url()})};
  int version = o.store->migrate();
  spdlog::info("store open: {} (schema version {})",
               o.store->dialect() == db::Dialect::sqlite ? "sqlite" : "postgresql", version);
  app::load_region_additions(*o.store);
  return o;
}

void first_start(db::Store& store, const audit::Audit& audit, const app::Config& cfg) {
  auto boot = app::bootstrap(store, audit, cfg.top_org, cfg.admin_password);
  if (boot.created && !boot.generated_password.empty())
    std::cout << "First start: created the top org and the account 'admin'.\n"
              << "  admin password (shown once): " << boot.generated_password << "\n"
              << std::flush;
  else if (boot.created)
    spdlog::info("first start: created the top org and the account 'admin'");
}

void load_demo(db::Store& store, const crypto::Keys& keys, const audit::Audit& audit, const std::string& scale) {
  member::Roster roster(keys, audit);
  auto report = app::load_demo(store, roster, audit,
                               {.scale = scale, .progress = [](const std::string& s) { spdlog::info("demo: {}", s); }});
  if (report.loaded)
    spdlog::info("demo data loaded in {:.1f} s: {} orgs, {} units, {} members, {} staff accounts (password {})",
                 report.seconds, report.orgs, report.units, report.members, report.staff, app::kDemoPassword);
  else
    spdlog::info("demo data already present");
}

// Writes to stderr through a 64 KiB buffer, flushed every 2 s (and at
// warnings): one write(2) per request cost ~10% of a small GET's CPU
// (docs/benchmarks.md). Works whatever stderr is (terminal, pipe, socket).
class BufferedStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  BufferedStderrSink() : file_(fdopen(dup(STDERR_FILENO), "w")) {
    if (!file_) throw std::runtime_error("cannot open stderr for the access log");
    std::setvbuf(file_, nullptr, _IOFBF, 64 * 1024);
  }
  ~BufferedStderrSink() override { std::fclose(file_); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), file_);
  }
  void flush_() override { std::fflush(file_); }

 private:
  std::FILE* file_;
};

// The access log: one JSON line per request (see http/pipeline.cpp), to
// stderr or a file, or nowhere.
void open_access_log(const std::string& where) {
  std::shared_ptr<spdlog::logger> log;
  if (where == "stderr") {
    log = std::make_shared<spdlog::logger>("access", std::make_shared<BufferedStderrSink>());
    spdlog::register_logger(log);
  }
  else if (where == "off") {
    log = spdlog::stderr_logger_mt("access");
    log->set_level(spdlog::level::off);
  }
  else log = spdlog::basic_logger_mt("access", where);
  log->set_pattern("%v");
  log->flush_on(spdlog::level::warn);
  spdlog::flush_every(std::chrono::seconds(2));
}

int serve(const app::Config& cfg, const std::filesystem::path& exe) {
  open_access_log(cfg.access_log);
  auto [keys, store] = open_store(cfg);
  audit::Audit audit(app::audit_chain_key(keys));
  first_start(*store, audit, cfg);
  if (cfg.demo) load_demo(*store, keys, audit, "small");

  auth::Sessions sessions(*store, auth::SessionPolicy{});
  auth::SessionAuthenticator authenticator(*store, sessions, keys, audit);
  member::Roster roster(keys, audit);
  http::Metrics metrics;

  http::Router router;
  system::Routes system_routes(*store, metrics, audit);
  auth::Routes auth_routes(*store, sessions, authenticator, keys, audit);
  org::Routes org_routes(*store, audit);
  unit::Routes unit_routes(*store, audit);
  member::Routes member_routes(*store, roster, sessions, audit);
  audit::Routes audit_routes(*store, audit);
  ledger::Routes ledger_routes(*store);
  aid::Routes aid_routes(*store, audit);
  relief::Routes relief_routes(*store, audit);
  card::Routes card_routes(*store, keys);
  campaign::Routes campaign_routes(*store, keys, audit);
  offer::Routes offer_routes(*store, keys, audit);
  system_routes.mount(router);
  auth_routes.mount(router);
  org_routes.mount(router);
  unit_routes.mount(router);
  member_routes.mount(router);
  audit_routes.mount(router);
  ledger_routes.mount(router);
  aid_routes.mount(router);
  relief_routes.mount(router);
  card_routes.mount(router);
  campaign_routes.mount(router);
  offer_routes.mount(router);

  http::StaticFiles web(http::StaticFiles::locate(exe, cfg.web_root));
  http::Pipeline pipeline(router, *store, authenticator, metrics, &web);
  http::Server server({.host = cfg.host,
                       .port = cfg.port,
                       .io_threads = cfg.io_threads,
                       .worker_threads = cfg.worker_threads,
                       .placement = [&](const http::Request& req) { return pipeline.placement(req); },
                       .start_async =
                           [&](http::Request& req, http::Response& res, http::Resume resume) {
                             pipeline.handle_async(req, res, std::move(resume));
                           }},
                      [&](http::Request& req) { return pipeline.handle(req); });
  server.listen();
  spdlog::info("gonghui {} listening on http://{}:{}/ (console /admin/, member pages /m/)", GONGHUI_VERSION,
               cfg.host, server.port());
  server.run();
  spdlog::info("shutting down: closing the store");
  store->close();
  return 0;
}

void add_store_flags(CLI::App* cmd, app::Config& cfg) {
  cmd->add_option("--db", cfg.db, "store URL: postgresql://user@host:port/name (default: SQLite under --data-dir)");
  cmd->add_option("--data-dir", cfg.data_dir, "folder for the SQLite store and the keys file")->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  app::Config cfg;
  CLI::App cli{"gonghui (工惠): the smart trade-union platform server"};
  cli.require_subcommand(1);

  auto* serve_cmd = cli.add_subcommand("serve", "run the HTTP server");
  add_store_flags(serve_cmd, cfg);
  serve_cmd->add_option("--host", cfg.host, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", cfg.port, "port to listen on")->capture_default_str();
  serve_cmd->add_option("--web-root", cfg.web_root, "folder of the built web app");
  serve_cmd->add_flag("--demo", cfg.demo, "load the demo data set on start (once)");
  serve_cmd->add_option("--admin-password", cfg.admin_password, "password of 'admin' on first start");
  serve_cmd->add_option("--top-org-name", cfg.top_org.name, "name of the top org on first start")->capture_default_str();
  serve_cmd->add_option("--top-org-level", cfg.top_org.level, "level of the top org on first start")->capture_default_str();
  serve_cmd->add_option("--top-org-region", cfg.top_org.region, "GB/T 2260 region of the top org")->capture_default_str();
  serve_cmd->add_option("--access-log", cfg.access_log, "stderr, off, or a file for the access log")
      ->capture_default_str();
  serve_cmd->add_option("--io-threads", cfg.io_threads, "socket threads")->capture_default_str();
  serve_cmd->add_option("--worker-threads", cfg.worker_threads, "handler threads")->capture_default_str();

  auto* migrate_cmd = cli.add_subcommand("migrate", "create or upgrade the store's schema");
  add_store_flags(migrate_cmd, cfg);

  std::string scale = "small";
  auto* demo_cmd = cli.add_subcommand("demo", "load the deterministic demo data set");
  add_store_flags(demo_cmd, cfg);
  demo_cmd->add_option("--scale", scale, "small, or seed (5,314 units and 352,300 members)")
      ->check(CLI::IsMember({"small", "seed"}))
      ->capture_default_str();
  demo_cmd->add_option("--admin-password", cfg.admin_password, "password of 'admin' if the store is new");

  bool rotate = false, rotate_card = false;
  auto* keys_cmd = cli.add_subcommand("keys", "create the secrets file, or rotate its encryption key");
  keys_cmd->add_option("--data-dir", cfg.data_dir, "folder of the keys file")->capture_default_str();
  keys_cmd->add_flag("--rotate", rotate, "add a new encryption key and make it current");
  keys_cmd->add_flag("--rotate-card", rotate_card,
                     "add a new card signing key and make it current (restart the servers afterwards)");

  auto* audit_cmd = cli.add_subcommand("audit", "check the audit trail");
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "verify the audit trail's hash chain");
  add_store_flags(verify_cmd, cfg);
  audit_cmd->require_subcommand(1);

  auto* card_cmd = cli.add_subcommand("card", "digital union card tokens");
  auto* card_verify_cmd = card_cmd->add_subcommand("verify", "verify a card token offline, as a gate would");
  std::string card_token, card_keys_file;
  int64_t card_now = 0;
  card_verify_cmd->add_option("token", card_token, "the token (from the member's QR code)")->required();
  card_verify_cmd->add_option("--key", card_keys_file, "public keys as served by GET /api/v1/card/public-key")
      ->required();
  card_verify_cmd->add_option("--now", card_now, "check at this Unix time instead of now");
  card_cmd->require_subcommand(1);

  auto* ledger_cmd = cli.add_subcommand("ledger", "check the fund ledger");
  auto* ledger_verify_cmd =
      ledger_cmd->add_subcommand("verify", "prove every fund balances and its payouts match the paid records");
  add_store_flags(ledger_verify_cmd, cfg);
  ledger_cmd->require_subcommand(1);

  app::LoadtestOptions loadtest;
  std::string tokens_file;
  auto* loadtest_cmd = cli.add_subcommand("loadtest", "synthetic data for load tests (never on a live store)");
  auto* loadtest_members_cmd = loadtest_cmd->add_subcommand(
      "members", "create synthetic members with sessions and write 'member_id token' lines to --tokens");
  add_store_flags(loadtest_members_cmd, cfg);
  loadtest_members_cmd->add_option("--unit", loadtest.unit_id, "the unit they work in")->required();
  loadtest_members_cmd->add_option("--count", loadtest.count, "how many")->required();
  loadtest_members_cmd->add_option("--seed", loadtest.seed, "0-99: runs with different seeds make different people")
      ->capture_default_str();
  loadtest_members_cmd->add_option("--tokens", tokens_file, "file for the session tokens")->required();
  loadtest_cmd->require_subcommand(1);

  cli.add_subcommand("version", "print the version");

  CLI11_PARSE(cli, argc, argv);
  cfg.apply_env();
  std::filesystem::path exe = std::filesystem::weakly_canonical(std::filesystem::path("/proc/self/exe"));

  try {
    if (*serve_cmd) return serve(cfg, exe);
    if (*migrate_cmd) {
      auto o = open_store(cfg);
      o.store->close();
      return 0;
    }
    if (*demo_cmd) {
      auto [keys, store] = open_store(cfg);
      audit::Audit audit(app::audit_chain_key(keys));
      first_start(*store, audit, cfg);
      load_demo(*store, keys, audit, scale);
      store->close();
      return 0;
    }
    if (*keys_cmd) {
      crypto::init();
      std::filesystem::create_directories(cfg.data_dir);
      auto path = cfg.keys_path();
      bool existed = std::filesystem::exists(path);
      auto keys = crypto::Keys::load_or_create(path);
      if ((rotate || rotate_card) && existed) {
        if (rotate) {
          keys.rotate_enc();
          std::cout << "rotated: new data is now sealed with key " << keys.current_enc << "\n";
        }
        if (rotate_card) {
          keys.rotate_card();
          std::cout << "rotated: card tokens are now signed with key " << keys.current_card << "\n";
        }
        keys.save(path);
      } else {
        std::cout << (existed ? "keys file present: " : "created keys file: ") << path.string() << "\n";
      }
      return 0;
    }
    if (*verify_cmd) {
      auto [keys, store] = open_store(cfg);
      audit::Audit audit(app::audit_chain_key(keys));
      auto report = audit.verify(*store);
      std::cout << report.message << "\n";
      if (report.ok) std::cout << "head: " << report.head << "\n";
      store->close();
      return report.ok ? 0 : 1;
    }
    if (*card_verify_cmd) {
      crypto::init();
      std::ifstream in(card_keys_file);
      if (!in) throw Error::invalid("key", "key.unreadable", "cannot read " + card_keys_file);
      std::stringstream text;
      text << in.rdbuf();
      const auto keys = card::parse_keys_json(text.str());
      const int64_t now = card_now ? card_now : db::now_ms() / 1000;
      const auto v = card::verify(card_token, keys, now);
      if (v.ok)
        std::cout << "valid: card " << v.card_no << ", key " << v.kid << ", expires " << v.expires_at << "\n";
      else
        std::cout << "invalid: " << v.code << "\n";
      return v.ok ? 0 : 1;
    }
    if (*loadtest_members_cmd) {
      auto [keys, store] = open_store(cfg);
      audit::Audit audit(app::audit_chain_key(keys));
      member::Roster roster(keys, audit);
      auth::Sessions sessions(*store, auth::SessionPolicy{});
      const auto made = app::make_loadtest_members(*store, roster, sessions, audit, loadtest);
      std::ofstream out(tokens_file, std::ios::trunc);
      for (const auto& m : made) out << m.member_id << ' ' << m.token << '\n';
      out.close();
      if (!out) throw Error::internal("cannot write " + tokens_file);
      std::filesystem::permissions(tokens_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      std::cout << made.size() << " members with sessions; tokens in " << tokens_file << "\n";
      store->close();
      return 0;
    }
    if (*ledger_verify_cmd) {
      auto [keys, store] = open_store(cfg);
      auto report = ledger::verify(*store);
      for (const auto& f : report.funds)
        std::cout << f.fund << ": " << f.txns << " postings, debits " << f.debit_fen << " = credits " << f.credit_fen
                  << ", paid out " << f.paid_out_fen << " fen = paid records " << f.paid_records_fen << " fen"
                  << (f.ok ? "" : "  <-- WRONG") << "\n";
      for (const auto& p : report.problems) std::cout << "problem: " << p << "\n";
      std::cout << (report.ok ? "ledger ok" : "ledger NOT ok") << "\n";
      store->close();
      return report.ok ? 0 : 1;
    }
    std::cout << "gonghui " << GONGHUI_VERSION << "\n";
    return 0;
  } catch (const gh::Error& e) {
    std::cerr << "gonghui: " << e.what();
    for (const auto& f : e.errors()) std::cerr << " [" << f.field << ": " << f.message << "]";
    std::cerr << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gonghui: " << e.what() << "\n";
    return 2;
  }
}
