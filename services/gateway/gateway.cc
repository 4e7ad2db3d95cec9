#include "services/gateway/gateway.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/gateway/context.h"
#include "services/gateway/listener.h"
#include "services/gateway/url.h"

namespace gateway {

namespace net = boost::asio;
using net::ip::tcp;

struct Gateway::Impl {
  std::shared_ptr<Context> context;
  std::unique_ptr<net::io_context> io;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

Gateway::Gateway(Options options, projections::Projector* projector,
                 const storage::EventStore* store, api::SubscriptionHub* hub,
                 const auth::Authenticator* auth)
    : impl_(std::make_unique<Impl>()) {
  impl_->context = std::make_shared<Context>(std::move(options), projector, store, hub, auth);
}

Gateway::~Gateway() { Stop(); }

std::size_t Gateway::connections() const { return impl_->context->connections.load(); }

absl::Status Gateway::Start() {
  if (impl_->started) return absl::FailedPreconditionError("the gateway was started already");
  const Options& options = impl_->context->options;
  auto host_port = SplitHostPort(options.listen);
  if (!host_port) {
    return absl::InvalidArgumentError(absl::StrCat("--http-listen ", options.listen,
                                                   ": expected HOST:PORT, e.g. 127.0.0.1:8080"));
  }
  auto [host, port] = *host_port;
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen ", options.listen, ": '", host, "' is not an IP address"));
  }

  impl_->io = std::make_unique<net::io_context>(options.threads);
  impl_->listener = std::make_shared<Listener>(*impl_->io, impl_->context);
  if (absl::Status s = impl_->listener->Bind(tcp::endpoint(address, port)); !s.ok()) {
    impl_->listener.reset();
    impl_->io.reset();
    return s;
  }
  tcp::endpoint bound = impl_->listener->local_endpoint();
  address_ = bound.address().is_v6()
                 ? absl::StrCat("[", bound.address().to_string(), "]:", bound.port())
                 : absl::StrCat(bound.address().to_string(), ":", bound.port());

  impl_->work.emplace(impl_->io->get_executor());
  impl_->context->SetPoster(
      [io = impl_->io.get()](std::function<void()> fn) { net::post(*io, std::move(fn)); });
  impl_->listener->Run();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl_->threads.emplace_back([io = impl_->io.get()] {
      // Handlers catch their own exceptions; this is the last line for a bug that escapes one.
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          Log(absl::StrCat("unexpected exception in an I/O thread: ", e.what()));
        }
      }
    });
  }
  impl_->started = true;
  return absl::OkStatus();
}

void Gateway::Stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->listener->Stop();
  // Ends live feeds and idle keep-alive connections; from now on no callback posts to the
  // io_context (see Context::IfRunning).
  impl_->context->CloseAll();
  impl_->work.reset();
  // Closing is asynchronous (each connection on its strand): give it a moment, then stop.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->context->connections.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->io->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->listener.reset();
  // Destroys the handlers still pending and with them the connections they own; each live feed
  // detaches from the hub as it goes, so nothing refers to the hub after Stop returns.
  impl_->io.reset();
}

}  // namespace gateway
