// Routes: method + pattern with {name} segments → handler. Declared in each
// module's routes.cpp and wired in main; matching is by path segments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/http.h"

namespace gh::http {

struct Route {
  Method method;
  std::string pattern;  // "/api/v1/orgs/{id}"
  RouteOptions options;
  Handler handler;      // set for plain routes
  TxHandler tx_handler; // set for routes run inside one write transaction
  std::vector<std::string> segments;  // pattern split on '/'
};

class Router {
 public:
  // A plain route: the handler opens its own read/write transactions.
  void add(Method m, std::string pattern, RouteOptions options, Handler h);
  // A write route: the pipeline runs the handler inside one durable write
  // transaction (with Idempotency-Key support when options.idempotent).
  void add_tx(Method m, std::string pattern, RouteOptions options, TxHandler h);

  struct Match {
    const Route* route = nullptr;
    PathParams params;
    bool path_matched = false;  // some route has this path (→ 405 when route is null)
  };
  Match match(Method m, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace gh::http
