// Operational and reference routes: /healthz, /metrics, the region
// dictionary (/api/v1/regions …) and the API description (/api/openapi.yaml).
#pragma once

#include <vector>

#include "audit/audit.h"
#include "core/regions.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/router.h"

namespace gh::system {

// Current codes directly below `parent` (province → prefectures, prefecture
// → counties; national → provinces), in code order.
std::vector<Region> region_children(const Regions& regions, std::string_view parent);

class Routes {
 public:
  Routes(db::Store& store, const http::Metrics& metrics, const audit::Audit& audit)
      : store_(store), metrics_(metrics), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response add_region(http::Ctx& ctx, db::Tx& tx);

  db::Store& store_;
  const http::Metrics& metrics_;
  const audit::Audit& audit_;
};

}  // namespace gh::system
