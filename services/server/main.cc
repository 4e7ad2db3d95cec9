// wijkboekd: the wijkboek server.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "services/server/restore.h"
#include "services/server/server.h"

int main(int argc, char** argv) {
  server::Config config;
  CLI::App app{
      "wijkboekd — the shared, append-only, verifiable record of a neighbourhood programme.\n\n"
      "Serves the wijkboek.v1 gRPC API over an embedded RocksDB log in --data-dir. On first start\n"
      "in an empty data directory it writes an admin token to <data-dir>/admin.token (mode 0600);\n"
      "every call needs it as 'authorization: Bearer <token>' metadata. When it has none, it\n"
      "makes the Ed25519 key it signs the log's head with, <data-dir>/head-signing.key (mode\n"
      "0600; signed heads go to <data-dir>/signed-heads.jsonl, see --sign-heads-every). The\n"
      "bound address is written to <data-dir>/grpc.addr. SIGTERM or SIGINT: stop accepting,\n"
      "finish what was accepted, snapshot the views, exit 0.\n\n"
      "The views (service wijkboek.v1.Views) are folded from the log and persisted with their\n"
      "checkpoint, so a restart folds only the events after it. --rebuild-views throws them away\n"
      "and folds the whole log again before serving (progress on stderr), then serves as usual.\n\n"
      "Plaintext is served on loopback only. On another address gRPC needs TLS (--tls-cert,\n"
      "--tls-key; --tls-client-ca for mutual TLS) and the dashboard a TLS-terminating reverse\n"
      "proxy in front, or --allow-insecure to serve plaintext anyway.\n\n"
      "Examples:\n"
      "  wijkboekd --data-dir /var/lib/wijkboek --grpc-listen 127.0.0.1:50051\n"
      "  wijkboekd --data-dir /var/lib/wijkboek --grpc-listen 0.0.0.0:50051 \\\n"
      "      --tls-cert /etc/wijkboek/server.pem --tls-key /etc/wijkboek/server.key",
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
  config.web_root = WIJKBOEK_WEB_ROOT_DEFAULT;
  app.add_option("--http-listen", config.http_listen,
                 "HTTP address HOST:PORT of the dashboard, JSON API and live feed (port 0 picks "
                 "a free port; written to <data-dir>/http.addr). Default port 0 when "
                 "--grpc-listen asks for port 0")
      ->capture_default_str();
  app.add_flag("--http-anonymous-read", config.http_anonymous_read,
               "Let unauthenticated HTTP clients read the views and the live feed (a public "
               "screen); off by default");
  app.add_option("--http-max-connections", config.http_max_connections,
                 "Open HTTP connections (live feeds included) before new ones get 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--http-idle-timeout", config.http_idle_timeout_seconds,
                 "Seconds an HTTP connection may wait for (or take to send) its next request")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--http-write-timeout", config.http_write_timeout_seconds,
                 "Seconds one write to a client may take before the connection is closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_flag("--http-secure-cookie", config.http_secure_cookie,
               "Mark the login cookie Secure: for a dashboard served over HTTPS by a proxy");
  app.add_option("--http-login-attempts", config.http_login_failures_per_minute,
                 "Failed logins one client address may make per minute (0: no limit); then "
                 "/login answers 429 with Retry-After")
      ->capture_default_str();
  app.add_option("--web-root", config.web_root,
                 "Directory of the built web app (without index.html: a placeholder page)")
      ->capture_default_str();
  app.add_flag("--rebuild-views", config.rebuild_views,
               "Rebuild the views from position 1 before serving (progress on stderr), then serve");
  // Limits: what one client may ask.
  api::EventLogLimits& limits = config.limits;
  app.add_option("--max-message-bytes", config.max_message_bytes,
                 "Largest gRPC request accepted, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(1024, 64 * 1024 * 1024))
      ->group("Limits");
  app.add_option("--max-events-per-append", limits.request.max_events_per_append,
                 "Most events one Append may carry")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000))
      ->group("Limits");
  app.add_option("--max-payload-bytes", limits.request.max_payload_bytes,
                 "Largest serialised payload of one event, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(256, 16 * 1024 * 1024))
      ->group("Limits");
  app.add_option("--max-string-bytes", limits.request.max_string_bytes,
                 "Longest text in any one field of an event, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(64, 16 * 1024 * 1024))
      ->group("Limits");
  app.add_option("--max-append-rate", limits.append_rate,
                 "Events per second one principal may append on average (0: no limit); over it, "
                 "Append answers RESOURCE_EXHAUSTED with the wait in grpc-retry-pushback-ms")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9))
      ->group("Limits");
  app.add_option("--append-burst", limits.append_burst,
                 "Events one principal may append at once after a pause")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9))
      ->group("Limits");
  app.add_option("--max-subscriptions", limits.max_subscriptions,
                 "Live Subscribe calls one principal may hold at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000))
      ->group("Limits");
  app.add_option("--tls-cert", config.tls.cert,
                 "Serve gRPC over TLS with this PEM certificate (chain, leaf first); needs "
                 "--tls-key")
      ->type_name("FILE");
  app.add_option("--tls-key", config.tls.key,
                 "The certificate's private key (unencrypted PEM; keep it mode 0600)")
      ->type_name("FILE");
  app.add_option("--tls-client-ca", config.tls.client_ca,
                 "Mutual TLS: every gRPC client must present a certificate issued by a CA in "
                 "this PEM file (the health service too)")
      ->type_name("FILE");
  app.add_flag("--allow-insecure", config.allow_insecure,
               "Serve plaintext gRPC (without --tls-cert) or HTTP on an address other than "
               "loopback (127.0.0.0/8, ::1, localhost). Without it wijkboekd refuses to, because "
               "tokens would cross the network unencrypted; use it only behind a "
               "TLS-terminating proxy or on a private network");
  app.add_option("--sign-heads-every", config.sign_heads_every_seconds,
                 "Sign the log's head this often (seconds) when it moved, appending it to "
                 "<data-dir>/signed-heads.jsonl for auditors (also at start and shutdown); 0: off. "
                 "The key is <data-dir>/head-signing.key (Ed25519, made on first start)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  app.add_option("--health-max-lag", config.health_max_lag,
                 "Ready (grpc.health.v1 SERVING, /healthz 200, wijkboek_ready 1) only while the "
                 "views are at most this many events behind the log's head, the log reads and "
                 "its writer has not failed")
      ->capture_default_str()
      ->group("Operations");
  // Operations: a config file for every flag, a dry run, and restoring a backup.
  app.set_config("--config", "",
                 "Read flags from this TOML file: one 'name = value' per flag, named as on the "
                 "command line without the dashes (data-dir = \"/var/lib/wijkboek\", "
                 "http-anonymous-read = true). Flags given on the command line win. See "
                 "deploy/wijkboekd.toml")
      ->group("Operations");
  app.allow_config_extras(CLI::config_extras_mode::error);
  bool check_config = false;
  app.add_flag("--check-config", check_config,
               "Print the configuration that flags and --config add up to, as TOML, and exit 0 "
               "(nothing is opened or started)")
      ->configurable(false)
      ->group("Operations");
  std::string restore_from;
  app.add_option("--restore-from", restore_from,
                 "Restore the backup in DIR (made by `wijkboek admin backup`) into --data-dir, "
                 "which must be new or empty; verifies the restored chain and exits 0 when it "
                 "holds. Then start wijkboekd on that --data-dir as usual")
      ->type_name("DIR")
      ->configurable(false)
      ->group("Operations");
  CLI11_PARSE(app, argc, argv);
  if (check_config) {
    std::cout << app.config_to_str(/*default_also=*/true, /*write_description=*/false);
    return 0;
  }
  if (!restore_from.empty()) return server::RunRestore(restore_from, config.data_dir);
  // A server asked for an ephemeral gRPC port (tests, tools) gets an ephemeral HTTP port too,
  // so parallel test servers never fight over 8080.
  if (app.count("--http-listen") == 0 && config.grpc_listen.size() > 2 &&
      config.grpc_listen.compare(config.grpc_listen.size() - 2, 2, ":0") == 0) {
    config.http_listen = config.grpc_listen;
  }

  // Structured log lines (refused and failed calls with their request id, health changes, start
  // and stop) go to stderr with a UTC timestamp; the stdout lines below stay as tools parse them.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("wijkboekd"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %n %l %v", spdlog::pattern_time_type::utc);

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
  std::cout << "wijkboekd: serving gRPC on " << server.grpc_address() << " over "
            << server::TransportName(server::TransportOf(config.tls)) << " (data in "
            << config.data_dir << ")\n";
  std::cout << "wijkboekd: dashboard on http://" << server.http_address() << "/"
            << (config.http_anonymous_read ? " (anonymous read-only access on)" : "")
            << (std::filesystem::exists(config.web_root + "/index.html")
                    ? ""
                    : " (web app not built: serving a placeholder page)")
            << "\n";
  const projections::ProjectorStats views = server.projector()->stats();
  std::cout << "wijkboekd: views at position " << server.projector()->position()
            << " (checkpoint " << views.checkpoint_loaded << ", folded "
            << views.events_folded_on_open << " events on start in "
            << static_cast<long>(views.open_seconds * 1000) << " ms)\n";
  if (!views.rebuilt_on_open.empty()) {
    std::cout << "wijkboekd: views rebuilt from the log: " << views.rebuilt_on_open << "\n";
  }
  if (server.admin_token_created()) {
    std::cout << "wijkboekd: new admin token written to " << config.data_dir << "/admin.token\n";
  }
  std::cout << std::flush;
  spdlog::info("started: grpc {} ({}), http {}, data {}, log head {}", server.grpc_address(),
               server::TransportName(server::TransportOf(config.tls)), server.http_address(),
               config.data_dir, server.projector()->position());

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "wijkboekd: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT")
            << ": shutting down" << std::endl;
  spdlog::info("{}: shutting down (grace {} s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
               config.shutdown_grace_seconds);
  server.Shutdown();
  spdlog::info("stopped");
  std::cout << "wijkboekd: stopped" << std::endl;
  return 0;
}
