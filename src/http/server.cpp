// The only translation unit that includes Beast.
//
// Threads: `io_threads` event loops, each an io_context run by exactly one
// thread, so a connection's coroutine, socket and timer never need a strand.
// The acceptor lives on loop 0 and hands sockets to the loops round-robin.
// Handlers run on a separate thread pool (they block on the store); the
// coroutine hops there and back with one post each way and no extra
// coroutine frame.
//
// Timeouts: a connection waiting for the first byte of its next request gets
// `idle_timeout`; once a request has started it must arrive whole, and its
// response be written, within `read_timeout` each.
//
// Shutdown (SIGINT/SIGTERM or stop()): the acceptor closes, idle keep-alive
// connections are closed, connections in the middle of a request finish it
// and close after the response; after at most kGrace everything stops.
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "http/pipeline.h"

namespace gh::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kGrace = std::chrono::seconds(10);
constexpr auto kDrainTime = std::chrono::seconds(1);
constexpr size_t kDrainBytes = 1 << 20;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// "Date" in IMF-fixdate, formatted once per second per thread.
std::string_view http_date() {
  thread_local std::time_t cached = 0;
  thread_local char buf[40];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    cached = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {buf, len};
}

Method to_method(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::get;
    case bhttp::verb::head:
      return Method::head;
    case bhttp::verb::post:
      return Method::post;
    case bhttp::verb::put:
      return Method::put;
    case bhttp::verb::patch:
      return Method::patch;
    case bhttp::verb::delete_:
      return Method::del;
    case bhttp::verb::options:
      return Method::options;
    default:
      return Method::other;
  }
}

// Assigns into the i-th slot of a reused vector of pairs, so a keep-alive
// connection reuses the strings' buffers from its previous request.
void put_pair(std::vector<std::pair<std::string, std::string>>& v, size_t& n, std::string_view key,
              std::string_view value) {
  if (n == v.size()) v.emplace_back();
  v[n].first.assign(key.data(), key.size());
  v[n].second.assign(value.data(), value.size());
  ++n;
}

using BeastRequest = bhttp::request<bhttp::string_body>;

// Fills `req` from the parsed message. Returns an error detail when the
// target cannot be accepted (→ 400).
const char* fill_request(BeastRequest& msg, Request& req) {
  req.method = to_method(msg.method());
  auto target = msg.target();
  req.target.assign(target.data(), target.size());
  req.request_id.clear();

  auto parsed = boost::urls::parse_origin_form(std::string_view(target.data(), target.size()));
  if (!parsed) return "the request target is not a valid origin-form path";
  const boost::urls::url_view& u = *parsed;
  req.path.clear();
  u.encoded_path().decode({}, boost::urls::string_token::append_to(req.path));
  if (req.path.empty() || req.path.find('\0') != std::string::npos)
    return "the request path is not acceptable";

  size_t n = 0;
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  std::string key, value;
  if (u.has_query()) {
    for (auto p : u.encoded_params()) {
      key.clear();
      value.clear();
      p.key.decode(form, boost::urls::string_token::append_to(key));
      if (p.has_value) p.value.decode(form, boost::urls::string_token::append_to(value));
      if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos)
        return "the query string is not acceptable";
      put_pair(req.query, n, key, value);
    }
  }
  req.query.resize(n);

  n = 0;
  for (const auto& f : msg) {
    auto name = f.name_string();
    key.assign(name.data(), name.size());
    for (char& c : key)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    auto v = f.value();
    put_pair(req.headers, n, key, std::string_view(v.data(), v.size()));
  }
  req.headers.resize(n);
  req.body = std::move(msg.body());
  return nullptr;
}

bool header_safe(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

}  // namespace

struct Server::Impl {
  // A connection as seen by shutdown: only idle ones are closed early.
  struct Conn {
    beast::tcp_stream* stream = nullptr;
    bool idle = false;
    Conn* prev = nullptr;
    Conn* next = nullptr;
  };

  // One event loop: an io_context run by one thread, and its connections
  // (touched only from that thread).
  struct Loop {
    Conn head;  // sentinel of the intrusive list of connections
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{ioc.get_executor()};
    // Continuations of asynchronous handlings, queued from any thread.
    std::mutex resumed_mu;
    std::vector<std::function<void()>> resumed;  // guarded by resumed_mu
    std::vector<std::function<void()>> draining;  // loop thread only

    Loop() { head.prev = head.next = &head; }
    void resume_later(std::function<void()> fn) {
      bool first;
      {
        std::lock_guard lk(resumed_mu);
        first = resumed.empty();
        resumed.push_back(std::move(fn));
      }
      if (first) asio::post(ioc, [this] { drain(); });
    }
    void drain() {
      {
        std::lock_guard lk(resumed_mu);
        draining.swap(resumed);
      }
      for (auto& fn : draining) fn();
      draining.clear();
    }
    void link(Conn* c) {
      c->next = head.next;
      c->prev = &head;
      head.next->prev = c;
      head.next = c;
    }
    static void unlink(Conn* c) {
      c->prev->next = c->next;
      c->next->prev = c->prev;
    }
  };

  // The hand-off of one request to the worker pool and back to the
  // connection's loop: one post each way, no extra coroutine frame. The
  // loop is kept alive (outstanding work) while the handler runs.
  //
  // Tried and dropped: a custom pool whose idle workers spin before
  // sleeping, and fewer workers, measured no cheaper per request (2-core VM,
  // wrk): the hop's price is the two thread wake-ups, not the queue.
  struct RunOnWorkers {
    Impl* impl;
    Request* req;
    Response* res;
    template <class Handler>
    void operator()(Handler handler) {
      auto home = asio::prefer(asio::get_associated_executor(handler),
                               asio::execution::outstanding_work.tracked);
      asio::post(*impl->workers, [impl = impl, req = req, res = res, home = std::move(home),
                                  handler = std::move(handler)]() mutable {
        impl->run_inline(*req, *res);
        asio::post(home, std::move(handler));
      });
    }
  };

  Impl(ServerOptions o, std::function<Response(Request&)> h)
      : opt(std::move(o)), handle(std::move(h)) {
    int n = std::max(1, opt.io_threads);
    for (int i = 0; i < n; ++i) loops.push_back(std::make_unique<Loop>());
    workers.emplace(static_cast<size_t>(std::max(1, opt.worker_threads)));
    acceptor.emplace(loops[0]->ioc);
    signals.emplace(loops[0]->ioc, SIGINT, SIGTERM);
  }

  ServerOptions opt;
  std::function<Response(Request&)> handle;
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  unsigned short bound_port = 0;
  // Destruction order matters: the pool and the acceptor go before the
  // loops (they reference them), the loops before the counters above.
  std::vector<std::unique_ptr<Loop>> loops;
  std::optional<asio::thread_pool> workers;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::signal_set> signals;

  void run_inline(Request& req, Response& res) {
    try {
      res = handle(req);
    } catch (const std::exception& e) {
      spdlog::error("handler failed outside the pipeline: {}", e.what());
      res = problem(500, "internal", "internal server error");
    } catch (...) {
      res = problem(500, "internal", "internal server error");
    }
  }

  template <class Token>
  auto run_on_workers(Request& req, Response& res, Token&& token) {
    return asio::async_initiate<Token, void()>(RunOnWorkers{this, &req, &res}, token);
  }

  // An asynchronous handling: started here, on the connection's loop. Its
  // Resume queues the finishing function and the coroutine's continuation
  // on the loop's `resumed` list; one post drains the list, so a commit
  // that completes a hundred requests costs each loop one wake-up, not a
  // hundred. The loop is kept alive (outstanding work) meanwhile.
  struct RunAsync {
    Impl* impl;
    Loop* loop;
    Request* req;
    Response* res;
    template <class Handler>
    void operator()(Handler handler) {
      auto home = asio::prefer(asio::get_associated_executor(handler),
                               asio::execution::outstanding_work.tracked);
      // Resume is a std::function (copyable); the handler is move-only.
      auto parked = std::make_shared<std::pair<decltype(home), Handler>>(std::move(home), std::move(handler));
      Response* out = res;
      Loop* l = loop;
      auto continuation = [parked, out](std::function<void()> finish) {
        return [parked, out, finish = std::move(finish)]() mutable {
          try {
            finish();
          } catch (...) {
            *out = problem(500, "internal", "internal server error");
          }
          std::move(parked->second)();
        };
      };
      try {
        impl->opt.start_async(*req, *res, [l, continuation](std::function<void()> finish) {
          l->resume_later(continuation(std::move(finish)));
        });
      } catch (...) {
        // start_async never throws; if it did, nothing was queued.
        *res = problem(500, "internal", "internal server error");
        l->resume_later(continuation([] {}));
      }
    }
  };

  template <class Token>
  auto run_async(Loop& loop, Request& req, Response& res, Token&& token) {
    return asio::async_initiate<Token, void()>(RunAsync{this, &loop, &req, &res}, token);
  }

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(Loop& loop, tcp::socket sock);
  asio::awaitable<void> grace_then_stop();
  void begin_shutdown();
};

asio::awaitable<void> Server::Impl::accept_loop() {
  size_t next = 0;
  for (;;) {
    Loop& loop = *loops[next++ % loops.size()];
    auto [ec, sock] = co_await acceptor->async_accept(loop.ioc, tuple_awaitable);
    if (stopping) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      // Out of file descriptors and the like: back off instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(tuple_awaitable);
      continue;
    }
    if (connections.load(std::memory_order_relaxed) >= opt.max_connections) {
      error_code ignored;
      sock.close(ignored);
      continue;
    }
    asio::co_spawn(loop.ioc, session(loop, std::move(sock)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("connection failed: {}", ex.what());
      }
    });
  }
}

asio::awaitable<void> Server::Impl::session(Loop& loop, tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  Conn conn;
  conn.stream = &stream;
  loop.link(&conn);
  // Counted here, not at accept: a session that never starts (shutdown
  // destroyed it first) must not hold the grace period open.
  connections.fetch_add(1, std::memory_order_relaxed);
  struct Leave {
    Impl* impl;
    Conn* c;
    ~Leave() {
      Loop::unlink(c);
      impl->connections.fetch_sub(1, std::memory_order_relaxed);
    }
  } leave{this, &conn};

  error_code ec;
  stream.socket().set_option(tcp::no_delay(true), ec);
  Request req;
  {
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) req.remote_addr = ep.address().to_string();
  }
  Response res;
  beast::flat_buffer buf;
  buf.reserve(8192);
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  bhttp::response<bhttp::string_body> out;

  // Writes `out`; false when the connection is gone.
  auto write_out = [&]() -> asio::awaitable<bool> {
    stream.expires_after(opt.read_timeout);
    auto [wec, n] = co_await bhttp::async_write(stream, out, tuple_awaitable);
    (void)n;
    co_return !wec;
  };

  // Parameters by value: they live in the coroutine frame.
  auto send_problem_and_close = [&](int status, std::string code,
                                    std::string detail) -> asio::awaitable<void> {
    Response p = problem(status, code, detail);
    out = {};
    out.version(11);
    out.result(static_cast<unsigned>(status));
    out.set(bhttp::field::server, "gonghui");
    out.set(bhttp::field::date, http_date());
    out.set(bhttp::field::content_type, p.content_type);
    out.keep_alive(false);
    out.body() = std::move(p.body);
    out.prepare_payload();
    if (!co_await write_out()) co_return;
    // Read and discard what the client is still sending, briefly, so that
    // closing with unread data does not reset the connection before the
    // client has read the response.
    error_code sec;
    stream.socket().shutdown(tcp::socket::shutdown_send, sec);
    stream.expires_after(kDrainTime);
    size_t drained = 0;
    char scratch[16384];
    while (drained < kDrainBytes) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(scratch), tuple_awaitable);
      if (rec) break;
      drained += n;
    }
  };

  for (;;) {
    if (stopping.load(std::memory_order_relaxed)) break;

    // Wait for the next request's first byte under the idle timeout.
    if (buf.size() == 0) {
      conn.idle = true;
      stream.expires_after(opt.idle_timeout);
      auto [rec, n] = co_await stream.async_read_some(buf.prepare(8192), tuple_awaitable);
      conn.idle = false;
      if (rec) break;
      buf.commit(n);
    }

    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(opt.header_limit));
    parser->body_limit(opt.body_limit);
    stream.expires_after(opt.read_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buf, *parser, tuple_awaitable);
    (void)hn;
    ec = hec;
    if (!ec && !parser->is_done()) {
      auto expect = parser->get()[bhttp::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
        auto [cec, cn] = co_await bhttp::async_write(stream, cont, tuple_awaitable);
        (void)cn;
        if (cec) break;
      }
      auto [bec, bn] = co_await bhttp::async_read(stream, buf, *parser, tuple_awaitable);
      (void)bn;
      ec = bec;
    }
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await send_problem_and_close(
            431, "header_too_large",
            "the request header is larger than " + std::to_string(opt.header_limit) + " bytes");
      } else if (ec == bhttp::error::body_limit) {
        co_await send_problem_and_close(
            413, "body_too_large",
            "the request body is larger than " + std::to_string(opt.body_limit) + " bytes");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 ec != bhttp::error::partial_message && ec != bhttp::error::end_of_stream) {
        co_await send_problem_and_close(400, "malformed_request", "the request is malformed");
      }
      // Otherwise the peer went away or timed out: nothing to answer.
      break;
    }

    BeastRequest& msg = parser->get();
    bool keep_alive = msg.keep_alive();
    bool head = msg.method() == bhttp::verb::head;
    unsigned version = msg.version();
    if (const char* bad = fill_request(msg, req)) {
      co_await send_problem_and_close(400, "bad_target", bad);
      break;
    }
    parser.reset();

    switch (opt.placement ? opt.placement(req) : Placement::pool) {
      case Placement::inline_read:
        run_inline(req, res);
        break;
      case Placement::async_write:
        if (opt.start_async) {
          co_await run_async(loop, req, res, asio::use_awaitable);
          break;
        }
        [[fallthrough]];
      case Placement::pool:
        co_await run_on_workers(req, res, asio::use_awaitable);
        break;
    }

    // After a shutdown began, finish this response and close.
    if (stopping.load(std::memory_order_relaxed)) keep_alive = false;

    if (res.status < 200 || res.status > 599) {
      spdlog::error("request {}: handler returned status {}", req.request_id, res.status);
      res = problem(500, "internal", "internal server error");
    }
    // These statuses have no body (RFC 9110 §6.4.1); Beast refuses one.
    if (res.status == 204 || res.status == 304) res.body.clear();

    out = {};
    out.version(version);
    out.result(static_cast<unsigned>(res.status));
    out.set(bhttp::field::server, "gonghui");
    out.set(bhttp::field::date, http_date());
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    bool has_request_id = false;
    for (const auto& [name, value] : res.headers) {
      if (!header_safe(name) || !header_safe(value)) {
        spdlog::warn("request {}: dropped a response header with CR/LF", req.request_id);
        continue;
      }
      if (beast::iequals(name, "x-request-id")) has_request_id = true;
      out.insert(name, value);
    }
    if (!has_request_id && !req.request_id.empty()) out.set("X-Request-Id", req.request_id);
    out.keep_alive(keep_alive);
    if (head) {
      out.content_length(res.body.size());
    } else {
      out.body() = std::move(res.body);
      out.prepare_payload();
    }
    if (!co_await write_out()) break;
    if (!keep_alive) break;
  }

  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

asio::awaitable<void> Server::Impl::grace_then_stop() {
  auto deadline = std::chrono::steady_clock::now() + kGrace;
  asio::steady_timer t(loops[0]->ioc);
  while (connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(tuple_awaitable);
  }
  if (connections.load() > 0)
    spdlog::warn("shutdown: {} connections still open after the grace period", connections.load());
  for (auto& l : loops) {
    l->work.reset();
    l->ioc.stop();
  }
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  error_code ec;
  acceptor->close(ec);
  signals->cancel(ec);
  for (auto& l : loops) {
    Loop* loop = l.get();
    asio::post(loop->ioc, [loop] {
      for (Conn* c = loop->head.next; c != &loop->head; c = c->next)
        if (c->idle) c->stream->cancel();
    });
  }
  asio::co_spawn(loops[0]->ioc, grace_then_stop(), asio::detached);
}

Server::Server(ServerOptions options, std::function<Response(Request&)> handle)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handle))) {}

Server::~Server() = default;

void Server::listen() {
  auto& impl = *impl_;
  error_code ec;
  tcp::resolver resolver(impl.loops[0]->ioc);
  auto results =
      resolver.resolve(impl.opt.host, std::to_string(impl.opt.port), tcp::resolver::passive, ec);
  if (ec || results.empty())
    throw Error(ErrorKind::unavailable, "listen",
                "cannot resolve " + impl.opt.host + ": " + ec.message());
  tcp::endpoint ep = results.begin()->endpoint();
  auto& a = *impl.acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    a.close(ignored);
    throw Error(ErrorKind::unavailable, "listen",
                "cannot listen on " + impl.opt.host + ":" + std::to_string(impl.opt.port) + ": " +
                    ec.message());
  }
  impl.bound_port = a.local_endpoint().port();
}

unsigned short Server::port() const { return impl_->bound_port; }

void Server::run() {
  auto& impl = *impl_;
  if (!impl.acceptor->is_open()) listen();
  impl.signals->async_wait([&impl](const error_code& ec, int) {
    if (!ec) impl.begin_shutdown();
  });
  asio::co_spawn(impl.loops[0]->ioc, impl.accept_loop(), asio::detached);

  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl.loops.size(); ++i)
    threads.emplace_back([loop = impl.loops[i].get()] { loop->ioc.run(); });
  impl.loops[0]->ioc.run();
  for (auto& t : threads) t.join();
  // Handlers still running past the grace period finish here; their
  // responses have nowhere to go.
  impl.workers->join();
}

void Server::stop() {
  auto* impl = impl_.get();
  asio::post(impl->loops[0]->ioc, [impl] { impl->begin_shutdown(); });
}

}  // namespace gh::http
