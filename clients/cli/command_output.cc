// Output and error reporting shared by the `wijkboek` commands (commands.h).

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "clients/cli/cli_support.h"
#include "clients/cli/commands.h"

namespace wijkboek::cli {
namespace {

// What to do after writing stdout failed: nothing to report if the reader has gone.
int OutputFailed() {
  if (errno == EPIPE) return 0;
  PrintError(absl::StrCat("writing output: ", std::strerror(errno)));
  return kExitServerError;
}

}  // namespace

const CLI::Validator kNotNegative(
    [](std::string& text) {
      return !text.empty() && text[0] == '-' ? std::string("must not be negative") : std::string();
    },
    "");

void PrintError(absl::string_view message) { std::cerr << "wijkboek: " << message << std::endl; }

// Server errors: `wijkboek: ABORTED: stream action-x: expected revision 3, actual revision 5`.
int ServerError(const absl::Status& status) {
  std::cerr << "wijkboek: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << std::endl;
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    PrintError("hint: check the token given by --token-file or WIJKBOEK_TOKEN");
  } else if (status.code() == absl::StatusCode::kPermissionDenied) {
    PrintError("hint: the token's principal may not do this; the programme team (an admin) "
               "decides who may do what");
  } else if (status.code() == absl::StatusCode::kUnavailable) {
    // gRPC reports a refused TLS handshake as UNAVAILABLE too; from the client's side a server
    // that wanted TLS or a client certificate just closes the connection ("Socket closed").
    if (status.message().find("handshake") != absl::string_view::npos ||
        status.message().find("certificate") != absl::string_view::npos) {
      PrintError(
          "hint: the TLS handshake failed; pass --tls-ca with the CA that issued the server's "
          "certificate, or --tls-server-name with a name the certificate holds");
    } else {
      PrintError(
          "hint: the server is unreachable or stopping; check --server or WIJKBOEK_SERVER. A "
          "server with TLS needs --tls-ca (and --tls-cert/--tls-key if it requires client "
          "certificates)");
    }
  }
  return kExitServerError;
}

std::optional<int> PrintJsonLine(const google::protobuf::Message& message, bool flush) {
  absl::StatusOr<std::string> line = ToJsonLine(message);
  if (!line.ok()) return ServerError(absl::InternalError(line.status().message()));
  line->push_back('\n');
  if (std::fwrite(line->data(), 1, line->size(), stdout) != line->size() ||
      (flush && std::fflush(stdout) != 0)) {
    return OutputFailed();
  }
  return std::nullopt;
}

std::optional<int> PrintText(const std::string& text) {
  bool newline = text.empty() || text.back() != '\n';
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() ||
      (newline && std::fputc('\n', stdout) == EOF) || std::fflush(stdout) != 0) {
    return OutputFailed();
  }
  return std::nullopt;
}

int FinishOutput() {
  if (std::fflush(stdout) != 0) return OutputFailed();
  return 0;
}

}  // namespace wijkboek::cli
