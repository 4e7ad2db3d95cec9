// Fuzzes the offline export verifier (services/audit/export_verifier.h), the reader behind
// `wijkboek audit verify-export`: arbitrary bytes as an export file, split into lines as the CLI
// does. Whatever the file holds, the verifier must give a verdict (ok or the first bad line),
// never crash, and never call a file whose lines it could not check intact.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <google/protobuf/stubs/logging.h>

#include "absl/strings/ascii.h"

#include "services/audit/export_verifier.h"

// Protobuf logs every string field that is not UTF-8: noise at thousands of inputs a second.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  audit::ExportVerifier verifier;
  std::uint64_t events = 0;  // lines that are not blank: each must be checked for an ok verdict
  bool going = true;
  while (going && !rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    if (!absl::StripAsciiWhitespace(absl::string_view(line.data(), line.size())).empty()) ++events;
    going = verifier.AddLine(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  const wijkboek::v1::VerifyResponse verdict = verifier.Finish();
  if (verdict.ok() && verifier.checked() != events) {
    std::fprintf(stderr, "verdict ok although not every line was checked\n");
    std::abort();
  }
  if (!verdict.ok() && verdict.reason().empty()) {
    std::fprintf(stderr, "a broken export without a reason\n");
    std::abort();
  }
  return 0;
}
