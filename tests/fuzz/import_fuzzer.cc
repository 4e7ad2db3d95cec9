// Fuzzes the programme importer (clients/cli/importer.h): arbitrary text as a programme file.
// PlanImport must answer a plan or INVALID_ARGUMENT, never crash; and what importer.h promises for
// a plan is checked: every event it maps passes the event log's shape rules for its stream, so
// the server cannot refuse a request for its shape half-way through an import. ShortTitle and
// Slugify get the same text (they work on arbitrary bytes, UTF-8 or not).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/status/statusor.h"
#include "clients/cli/importer.h"
#include "services/domain/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)wijkboek::importer::ShortTitle(text, 40);
  (void)wijkboek::importer::Slugify(text, 60);

  absl::StatusOr<wijkboek::importer::ImportPlan> plan = wijkboek::importer::PlanImport(text);
  if (!plan.ok()) {
    if (plan.status().code() != absl::StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "PlanImport: unexpected code: %s\n", plan.status().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  for (const auto& request : plan->requests) {
    for (const auto& event : request.events()) {
      absl::Status s = domain::ValidateForStream(event.payload(), request.stream(), "payload");
      if (!s.ok()) {
        std::fprintf(stderr, "an imported event breaks the shape rules: %s\n", s.ToString().c_str());
        std::abort();
      }
    }
  }
  return 0;
}
