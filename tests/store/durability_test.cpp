// An acknowledged write survives the death of the process: a child writes
// from several threads and reports each write the moment write() returns;
// the parent kills it with SIGKILL mid-stream (no close, no destructors) and
// reopens the file. Every acknowledged row must be there.
//
// This proves write() returns only after COMMIT. That the commit reached the
// disk (synchronous = FULL, fsync) a process kill cannot show; it needs a
// power cut or a VM snapshot.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "db/db.h"
#include "db/scratch.h"

namespace gh::db {
namespace {

TEST(SqliteDurability, AcknowledgedWritesSurviveKill9) {
  ScratchDatabase db(Dialect::sqlite);
  StoreOptions o;
  o.url = db.url();
  {
    auto s = Store::open(o);
    s->migrate();
    s->close();
  }

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: write until killed. Never return into the test runner.
    close(fds[0]);
    try {
      auto s = Store::open(o);
      std::vector<std::thread> threads;
      for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
          for (int64_t i = 0;; ++i) {
            int64_t id = t * 1'000'000'000LL + i;
            s->write([&](Tx& tx) {
              tx.exec("INSERT INTO settings (key, value) VALUES ($1, 'v')", {std::to_string(id)});
            });
            if (::write(fds[1], &id, sizeof id) != sizeof id) _exit(3);
          }
        });
      }
      for (auto& th : threads) th.join();
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }

  close(fds[1]);
  std::vector<int64_t> acked;
  bool killed = false;
  int64_t id = 0;
  // Reading to EOF also collects the acknowledgements still in the pipe
  // when the child dies.
  while (read(fds[0], &id, sizeof id) == sizeof id) {
    acked.push_back(id);
    if (!killed && acked.size() == 3000) {
      kill(pid, SIGKILL);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child stopped by itself (status " << status << ") after " << acked.size()
      << " writes";
  ASSERT_GE(acked.size(), 3000u);

  auto s = Store::open(o);
  std::vector<std::string> missing;
  s->read([&](Tx& tx) {
    EXPECT_EQ(tx.query("PRAGMA integrity_check")[0][0].str(), "ok");
    for (int64_t a : acked)
      if (!tx.one("SELECT 1 FROM settings WHERE key = $1", {std::to_string(a)}))
        missing.push_back(std::to_string(a));
    EXPECT_GE(tx.query("SELECT count(*) FROM settings")[0][0].i64(),
              static_cast<int64_t>(acked.size()));
  });
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged writes lost, e.g. "
                               << missing.front();
  s->close();
}

}  // namespace
}  // namespace gh::db
