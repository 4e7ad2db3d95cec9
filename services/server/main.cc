// wijkboekd: the wijkboek server.
#include <signal.h>

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "services/server/server.h"

int main(int argc, char** argv) {
  server::Config config;
  CLI::App app{
      "wijkboekd — the shared, append-only, verifiable record of a neighbourhood programme.\n\n"
      "Serves the wijkboek.v1 gRPC API over an embedded RocksDB log in --data-dir. On first start\n"
      "in an empty data directory it writes an admin token to <data-dir>/admin.token (mode 0600);\n"
      "every call needs it as 'authorization: Bearer <token>' metadata. The bound address is\n"
      "written to <data-dir>/grpc.addr. SIGTERM or SIGINT: stop accepting, finish what was\n"
      "accepted, exit 0.\n\n"
      "Example: wijkboekd --data-dir /var/lib/wijkboek --grpc-listen 127.0.0.1:50051",
      "wijkboekd"};
  app.add_option("--data-dir", config.data_dir, "Data directory (created if missing)")
      ->capture_default_str();
  app.add_option("--grpc-listen", config.grpc_listen,
                 "gRPC address HOST:PORT (port 0 picks a free port)")
      ->capture_default_str();
  app.add_option("--shutdown-grace", config.shutdown_grace_seconds,
                 "Seconds accepted calls get to finish on shutdown")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by sigwait below; block them before any thread starts so none inherits a
  // handler-less default that would kill the process mid-write.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  server::Server server(config);
  if (absl::Status s = server.Start(); !s.ok()) {
    std::cerr << "wijkboekd: " << s.message() << "\n";
    return 1;
  }
  std::cout << "wijkboekd: serving gRPC on " << server.grpc_address() << " (data in "
            << config.data_dir << ")\n";
  if (server.admin_token_created()) {
    std::cout << "wijkboekd: new admin token written to " << config.data_dir << "/admin.token\n";
  }
  std::cout << std::flush;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "wijkboekd: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": shutting down" << std::endl;
  server.Shutdown();
  std::cout << "wijkboekd: stopped" << std::endl;
  return 0;
}
