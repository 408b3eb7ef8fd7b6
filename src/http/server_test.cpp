// The real server on port 0, driven over plain sockets.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "core/error.h"

namespace gh::http {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool closed = false;  // the server closed the connection after it

  std::optional<std::string> header(std::string_view name) const {
    std::string lower_head = head;
    for (char& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string needle = "\r\n" + std::string(name) + ":";
    for (char& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto pos = lower_head.find(needle);
    if (pos == std::string::npos) return std::nullopt;
    auto start = pos + needle.size();
    auto end = head.find("\r\n", start);
    std::string v = head.substr(start, end - start);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    return v;
  }
};

class Client {
 public:
  explicit Client(unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads bytes until `done(buffer)` or EOF/timeout; false on timeout.
  bool fill(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        return true;
      }
      buf_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed).
  Reply read(bool head_request = false) {
    Reply r;
    fill([&] { return buf_.find("\r\n\r\n") != std::string::npos; });
    auto end = buf_.find("\r\n\r\n");
    if (end == std::string::npos) {
      r.closed = eof_;
      return r;
    }
    r.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    r.status = std::atoi(r.head.c_str() + 9);
    size_t len = 0;
    if (auto cl = r.header("content-length"); cl && !head_request) len = std::stoul(*cl);
    fill([&] { return buf_.size() >= len || eof_; });
    r.body = buf_.substr(0, len);
    buf_.erase(0, std::min(len, buf_.size()));
    if (r.header("connection") == "close") r.closed = wait_closed();
    return r;
  }

  Reply roundtrip(std::string_view request, bool head_request = false) {
    send(request);
    return read(head_request);
  }

  // True when the server closes the connection within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 5000ms) {
    fill([&] { return eof_; }, timeout);
    return eof_;
  }

 private:
  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 4;
    server = std::make_unique<Server>(o, [this](Request& req) { return handle(req); });
    server->listen();
    port = server->port();
    thread = std::thread([this] {
      server->run();
      stopped = true;
    });
  }
  void TearDown() override {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }

  Response handle(Request& req) {
    ++calls;
    req.request_id = "rid-" + std::to_string(calls.load());
    if (req.path == "/slow") std::this_thread::sleep_for(500ms);
    json::object q;
    for (const auto& [k, v] : req.query) q[k] = v;
    json::object o{{"path", req.path},
                   {"method", method_name(req.method)},
                   {"query", q},
                   {"body_size", req.body.size()},
                   {"x_custom", req.header("x-custom").value_or("")},
                   {"remote", req.remote_addr}};
    Response r = Response::json(200, o);
    r.headers.emplace_back("X-Extra", "1");
    if (req.path == "/nocontent") {
      Response n = Response::no_content();
      n.body = "must not be sent";
      return n;
    }
    if (req.path == "/weird") r.status = 1000;
    if (req.path == "/inject") r.headers.emplace_back("X-Bad", "a\r\nSet-Cookie: x=1");
    return r;
  }

  std::unique_ptr<Server> server;
  std::thread thread;
  unsigned short port = 0;
  std::atomic<int> calls{0};
  std::atomic<bool> stopped{false};
};

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  ASSERT_NE(port, 0);
  Client c(port);
  ASSERT_TRUE(c.ok());
  for (int i = 1; i <= 3; ++i) {
    auto r = c.roundtrip(
        "GET /a/b%20c?q=x%20y&plus=a+b&flag HTTP/1.1\r\nHost: t\r\nX-Custom: V\r\n\r\n");
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_FALSE(r.closed);
    auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v.at("path"), "/a/b c");
    EXPECT_EQ(v.at("query").at("q"), "x y");
    EXPECT_EQ(v.at("query").at("plus"), "a b");
    EXPECT_EQ(v.at("query").at("flag"), "");
    EXPECT_EQ(v.at("x_custom"), "V");
    EXPECT_EQ(v.at("remote"), "127.0.0.1");
    EXPECT_EQ(r.header("server"), "gonghui");
    EXPECT_TRUE(r.header("date").has_value());
    EXPECT_EQ(r.header("x-request-id"), "rid-" + std::to_string(i));
    EXPECT_EQ(r.header("x-extra"), "1");
    EXPECT_EQ(r.header("content-type"), "application/json");
  }
  EXPECT_EQ(calls.load(), 3);
}

TEST_F(ServerTest, PostBodyAndExpectContinue) {
  start();
  Client c(port);
  std::string body(3000, 'x');
  auto r = c.roundtrip("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n" + body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("body_size"), 3000);

  c.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto cont = c.read();
  EXPECT_EQ(cont.status, 100);
  c.send("hello");
  auto done = c.read();
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(json::parse(done.body).at("body_size"), 5);
}

TEST_F(ServerTest, HeadHasLengthButNoBody) {
  start();
  Client c(port);
  auto r = c.roundtrip("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n", true);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  ASSERT_TRUE(r.header("content-length").has_value());
  EXPECT_GT(std::stoul(*r.header("content-length")), 10u);
  // the connection is still usable: no stray body bytes
  auto g = c.roundtrip("GET /g HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(g.status, 200);
  EXPECT_EQ(json::parse(g.body).at("path"), "/g");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start();
  Client c(port);
  auto r = c.roundtrip("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.closed);
  Client old(port);
  auto h10 = old.roundtrip("GET /x HTTP/1.0\r\n\r\n");
  EXPECT_EQ(h10.status, 200);
  EXPECT_TRUE(old.wait_closed());
}

TEST_F(ServerTest, OversizeBodyIs413) {
  ServerOptions o;
  o.body_limit = 1000;
  start(o);
  Client c(port);
  auto r = c.roundtrip("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n" +
                       std::string(1001, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(r.body).at("status"), 413);
  EXPECT_TRUE(r.closed);
  // chunked bodies are limited too
  Client ch(port);
  std::string chunk(2000, 'y');
  auto rc =
      ch.roundtrip("POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                   chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(rc.status, 413);
  // exactly at the limit is fine
  Client okc(port);
  auto ok = okc.roundtrip("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" +
                          std::string(1000, 'x'));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(ServerTest, OversizeHeaderIs431) {
  ServerOptions o;
  o.header_limit = 2048;
  start(o);
  Client c(port);
  auto r =
      c.roundtrip("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, MalformedRequestsAre400) {
  start();
  for (std::string bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /x HTTP/9.9\r\n\r\n"),
        std::string("GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("GET /q?x=%00 HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("GET http://example.com/x HTTP/1.1\r\nHost: t\r\n\r\n"),
        std::string("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n")}) {
    Client c(port);
    auto r = c.roundtrip(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << bad;
    EXPECT_TRUE(r.closed) << bad;
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, HeaderInjectionIsDropped) {
  start();
  Client c(port);
  auto r = c.roundtrip("GET /inject HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.header("set-cookie").has_value());
  EXPECT_FALSE(r.header("x-bad").has_value());
}

TEST_F(ServerTest, BodylessAndInvalidStatuses) {
  start();
  Client c(port);
  auto n = c.roundtrip("GET /nocontent HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
  EXPECT_FALSE(n.closed);
  auto w = c.roundtrip("GET /weird HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(w.status, 500);
  EXPECT_EQ(w.header("content-type"), "application/problem+json");
  // the connection survived both
  EXPECT_EQ(c.roundtrip("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n").status, 200);
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  ServerOptions o;
  o.idle_timeout = std::chrono::seconds(1);
  start(o);
  Client c(port);
  auto r = c.roundtrip("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed(4000ms));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 800ms);
  EXPECT_LT(waited, 3000ms);
}

TEST_F(ServerTest, SlowPartialRequestTimesOut) {
  ServerOptions o;
  o.read_timeout = std::chrono::seconds(1);
  start(o);
  Client c(port);
  c.send("GET /x HTTP/1.1\r\nHo");
  EXPECT_TRUE(c.wait_closed(4000ms));
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, StopFinishesInFlightRequestThenReturns) {
  start();
  Client idle(port);
  ASSERT_EQ(idle.roundtrip("GET /warm HTTP/1.1\r\nHost: t\r\n\r\n").status, 200);
  Client busy(port);
  busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  while (calls.load() < 2) std::this_thread::sleep_for(5ms);
  server->stop();
  auto r = busy.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(r.closed);
  EXPECT_TRUE(idle.wait_closed());
  thread.join();
  EXPECT_TRUE(stopped.load());
  Client late(port);
  EXPECT_FALSE(late.ok());
}

// With handlers on the worker pool a slow handler holds up only its own
// connection; inline, it holds up its io thread's other connections too.
// Both behaviours are asserted, so each mode is shown to be the one in use.
TEST_F(ServerTest, SlowHandlerBlocksItsIoThreadOnlyWhenInline) {
  for (bool inline_handlers : {false, true}) {
    ServerOptions o;
    if (inline_handlers)
      o.placement = [](const Request& r) { return r.path == "/slow" ? Placement::inline_read : Placement::pool; };
    start(o);
    {
      Client slow(port), fast(port);
      ASSERT_TRUE(slow.ok() && fast.ok());
      slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
      std::this_thread::sleep_for(100ms);  // the slow handler is now running
      auto t0 = std::chrono::steady_clock::now();
      // io_threads = 2 and connections go round-robin: with three more
      // connections one certainly shares the slow connection's io thread.
      Client third(port), fourth(port);
      fast.send("GET /f HTTP/1.1\r\nHost: t\r\n\r\n");
      third.send("GET /f HTTP/1.1\r\nHost: t\r\n\r\n");
      fourth.send("GET /f HTTP/1.1\r\nHost: t\r\n\r\n");
      EXPECT_EQ(fast.read().status, 200);
      EXPECT_EQ(third.read().status, 200);
      EXPECT_EQ(fourth.read().status, 200);
      auto waited = std::chrono::steady_clock::now() - t0;
      if (inline_handlers) {
        EXPECT_GE(waited, 250ms) << "inline: a connection on the slow one's io thread waits";
      } else {
        EXPECT_LT(waited, 250ms) << "pool: other connections are not held up";
      }
      EXPECT_EQ(slow.read().status, 200);
    }
    server->stop();
    thread.join();
    server.reset();
  }
}

TEST(Server, ListenOnTakenPortThrows) {
  Server a({.host = "127.0.0.1", .port = 0}, [](Request&) { return Response{}; });
  a.listen();
  Server b({.host = "127.0.0.1", .port = a.port()}, [](Request&) { return Response{}; });
  EXPECT_THROW(b.listen(), Error);
}

}  // namespace
}  // namespace gh::http
