// The Beast + Asio (C++20 coroutines) HTTP/1.1 server. It owns sockets,
// timeouts and limits; each complete request is handed to `handle`, run on a
// worker pool so handlers may block on the store, or on the io thread, or
// started there and resumed when its write has committed
// (ServerOptions::placement).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/http.h"

namespace gh::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int io_threads = 2;        // threads running the sockets
  int worker_threads = 16;   // threads running handlers (they may block on the store)
  size_t header_limit = 16 * 1024;
  size_t body_limit = 8 * 1024 * 1024;
  std::chrono::seconds read_timeout{30};   // to read one whole request
  std::chrono::seconds idle_timeout{75};   // keep-alive wait between requests
  int max_connections = 10000;
  // Decides per request where it is handled (Placement). Unset: every
  // request goes to the worker pool.
  //  - inline_read: `handle` runs on the io thread that read the request.
  //    That saves two thread wake-ups (on a 2-core VM ≈45 → ≈23 µs of CPU
  //    per small authenticated GET), but a handler that blocks stalls every
  //    connection of its io thread meanwhile: only for short reads.
  //  - async_write: `start_async` runs on the io thread and calls its Resume
  //    once, from any thread; the server runs the given function on the io
  //    thread and sends the response. Nothing waits for the store's commit.
  std::function<Placement(const Request&)> placement;
  std::function<void(Request&, Response&, Resume)> start_async;
};

class Server {
 public:
  Server(ServerOptions options, std::function<Response(Request&)> handle);
  ~Server();
  // Binds and listens; throws gh::Error when the address is taken.
  void listen();
  // The port actually bound (useful with port 0).
  unsigned short port() const;
  // Serves until SIGINT/SIGTERM or stop(); then stops accepting, lets
  // in-flight requests finish (up to a grace period) and returns.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gh::http
