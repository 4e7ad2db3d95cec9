// Malformed input thrown at the running server: raw bytes on its ports, broken HTTP/2, and gRPC
// requests whose bytes are not the message they claim to be (truncated, not protobuf at all,
// oversize, invalid UTF-8, nested beyond any sense). After each the server must still be serving:
// the health service answers SERVING, a valid append succeeds, and the head has moved only by the
// valid appends, so nothing of the bad input was stored.
//
// The codes the server answers (README.md, "Malformed requests"):
//   not a protobuf of the method's request type (truncated, garbage, invalid UTF-8 in a string
//   field, nested too deep)                                               INVALID_ARGUMENT
//   a request over the 4 MiB message limit                                RESOURCE_EXHAUSTED
//   a method the server does not serve                                    UNIMPLEMENTED
// Raw bytes that are not HTTP/2, and HTTP/2 connection errors, end the connection; a stream whose
// headers do not decode is reset; frames gRPC tolerates (DATA for a stream never opened) are
// skipped. Garbage on the HTTP port gets 400 and the connection closed.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "eventlog_helpers.h"
#include "http_client.h"

namespace itest {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr char kHttp2Preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

std::string RandomBytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

// ---- Raw TCP ----------------------------------------------------------------------------------

struct RawExchange {
  std::string received;  // everything the server sent back
  bool closed = false;   // the server closed (or reset) the connection
  std::string error;     // a failure to connect
};

// Connects to `address` (IPV4:PORT), writes `bytes` (as far as the server takes them) and reads
// until the server closes the connection, `enough(received so far)` holds, or `deadline` passes.
RawExchange SendRaw(const std::string& address, const std::string& bytes,
                    const std::function<bool(const std::string&)>& enough = nullptr,
                    std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  RawExchange out;
  const auto colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    out.error = "not an IPv4 address: " + address;
    return out;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    out.error = "connect " + address + ": " + std::strerror(errno);
    ::close(fd);
    return out;
  }
  // The server may close while we still write: that is an answer, not a test failure.
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  const auto until = std::chrono::steady_clock::now() + deadline;
  char buf[4096];
  while (std::chrono::steady_clock::now() < until && !(enough && enough(out.received))) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {  // 0: orderly close; < 0: reset
      out.closed = true;
      break;
    }
    out.received.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

constexpr int kRstStream = 0x3;
constexpr int kGoaway = 0x7;

// The types of the whole HTTP/2 frames in `bytes` (what a server sent after the client preface).
std::vector<int> FrameTypes(const std::string& bytes) {
  std::vector<int> types;
  for (std::size_t at = 0; at + 9 <= bytes.size();) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
    const std::size_t length = (byte(0) << 16) | (byte(1) << 8) | byte(2);
    if (at + 9 + length > bytes.size()) break;
    types.push_back(byte(3));
    at += 9 + length;
  }
  return types;
}
bool HasFrame(const std::string& bytes, int type) {
  const std::vector<int> types = FrameTypes(bytes);
  return std::find(types.begin(), types.end(), type) != types.end();
}

// An HTTP/2 frame: 24-bit length, type, flags, stream id.
std::string Frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>((payload.size() >> 16) & 0xff));
  f.push_back(static_cast<char>((payload.size() >> 8) & 0xff));
  f.push_back(static_cast<char>(payload.size() & 0xff));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) {
    f.push_back(static_cast<char>((stream >> shift) & 0xff));
  }
  return f + payload;
}

// ---- Hand-encoded protobuf --------------------------------------------------------------------

std::string Varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Tag(int field, int wire_type) { return Varint((field << 3) | wire_type); }
std::string Bytes(int field, const std::string& value) {
  return Tag(field, 2) + Varint(value.size()) + value;
}

// `depth` unknown groups (field 15) nested in each other, closed again when `closed`.
std::string NestedGroups(int depth, bool closed) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += Tag(15, 3);
  if (closed) {
    for (int i = 0; i < depth; ++i) out += Tag(15, 4);
  }
  return out;
}

class MalformedInputTest : public ServerTest {
 protected:
  // A valid AppendRequest for a fresh partner.
  static v1::AppendRequest ValidRequest() {
    const std::string partner = NewId("p");
    return MakeRequest("partner-" + partner, {MakePartnerJoined(partner)});
  }

  // One unary call with the admin token, the request given as raw bytes.
  grpc::Status RawCall(const std::string& method, const std::string& bytes) {
    grpc::GenericStub stub(server_.Channel());
    grpc::ClientContext context;
    server_.Authorize(&context);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

  // The server serves on: health SERVING, a valid append lands right after the previous valid
  // one, and the head is exactly there.
  void ExpectServerIntact(const std::string& after) {
    SCOPED_TRACE("after " + after);
    ASSERT_TRUE(server_.running()) << "wijkboekd died";
    HealthCheckResponse response;
    const grpc::Status status = CheckHealth(server_.Channel(), &response);
    ASSERT_TRUE(status.ok()) << Describe(status);
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
    const v1::AppendResponse appended = MustAppend(server_, ValidRequest());
    EXPECT_EQ(appended.last_position(), ++valid_appends_);
    EXPECT_EQ(MustGetHead(server_).position(), valid_appends_);
  }

  std::uint64_t valid_appends_ = kBootstrapEvents;  // a fresh log holds the bootstrap admin
};

// Unary and server-streaming methods of the services the server runs.
const std::vector<std::string> kServedMethods = {
    "/wijkboek.v1.EventLog/Append",    "/wijkboek.v1.EventLog/Read",
    "/wijkboek.v1.EventLog/Subscribe", "/wijkboek.v1.EventLog/GetHead",
    "/wijkboek.v1.Views/GetProgramme", "/wijkboek.v1.Views/ListActions",
    "/wijkboek.v1.Views/GetPartner",   "/wijkboek.v1.EventLog/ReadBatches",
};
// The Admin service is in the contract; whether this server runs it is asked first.
const std::vector<std::string> kAdminMethods = {
    "/wijkboek.v1.Admin/RegisterPrincipal",
    "/wijkboek.v1.Admin/ListPrincipals",
};

TEST_F(MalformedInputTest, RandomBytesOnTheGrpcPortCloseTheConnection) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const RawExchange r = SendRaw(server_.address(), RandomBytes(64 * 1024, seed));
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.closed) << "seed " << seed << ": the server kept a garbage connection open";
    ExpectServerIntact("random bytes, seed " + std::to_string(seed));
  }
}

TEST_F(MalformedInputTest, RandomBytesOnTheHttpPortGet400) {
  for (std::uint64_t seed : {4, 5, 6}) {
    HttpResponse r = RawHttp(server_.http_address(), RandomBytes(16 * 1024, seed));
    EXPECT_EQ(r.status, 400) << "seed " << seed << ": " << r.error << r.body;
    const RawExchange raw = SendRaw(server_.http_address(), RandomBytes(64 * 1024, seed));
    ASSERT_TRUE(raw.error.empty()) << raw.error;
    EXPECT_TRUE(raw.closed) << "seed " << seed;
    ExpectServerIntact("random bytes on HTTP, seed " + std::to_string(seed));
  }
}

TEST_F(MalformedInputTest, Http2PrefaceThenGarbageClosesTheConnection) {
  for (std::uint64_t seed : {7, 8, 9}) {
    const RawExchange r =
        SendRaw(server_.address(), std::string(kHttp2Preface) + RandomBytes(4096, seed));
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.closed) << "seed " << seed;
    ExpectServerIntact("preface and garbage, seed " + std::to_string(seed));
  }
}

TEST_F(MalformedInputTest, Http2ProtocolViolationsEndTheConnectionOrAreIgnored) {
  const std::string start = kHttp2Preface + Frame(0x4, 0, 0, "");  // preface, empty SETTINGS
  // Connection errors: gRPC closes the connection.
  const std::vector<std::pair<std::string, std::string>> fatal = {
      {"a frame longer than SETTINGS_MAX_FRAME_SIZE", Frame(0x0, 0, 1, std::string(1 << 20, 'x'))},
      {"SETTINGS of 5 bytes", Frame(0x4, 0, 0, "12345")},
  };
  for (const auto& [what, frame] : fatal) {
    const RawExchange r = SendRaw(server_.address(), start + frame);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.closed) << what;
    ExpectServerIntact(what);
  }
  // Frames gRPC skips (it answers with SETTINGS, WINDOW_UPDATE or PING and keeps the connection):
  // sent, the connection dropped at once, and the server must serve on.
  const std::vector<std::pair<std::string, std::string>> skipped = {
      {"HEADERS on stream 0", Frame(0x1, 0x4, 0, "\x82")},
      {"DATA on a stream never opened", Frame(0x0, 0x1, 7, "hello")},
  };
  for (const auto& [what, frame] : skipped) {
    const RawExchange r =
        SendRaw(server_.address(), start + frame, [](const std::string&) { return true; });
    ASSERT_TRUE(r.error.empty()) << r.error;
    ExpectServerIntact(what);
  }
}

TEST_F(MalformedInputTest, HeadersWithGarbageHpackAreRefused) {
  // Random HPACK may decode into header fields or not: the stream is reset, or the whole
  // connection ended.
  const auto refused = [](const std::string& received) {
    return HasFrame(received, kRstStream) || HasFrame(received, kGoaway);
  };
  for (std::uint64_t seed : {10, 11, 12}) {
    const std::string bytes = kHttp2Preface + Frame(0x4, 0, 0, "") +  // SETTINGS
                              Frame(0x1, 0x4 | 0x1, 1, RandomBytes(512, seed));  // HEADERS
    const RawExchange r = SendRaw(server_.address(), bytes, refused);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.closed || refused(r.received)) << "seed " << seed;
    ExpectServerIntact("garbage HPACK, seed " + std::to_string(seed));
  }
}

TEST_F(MalformedInputTest, TruncatedAppendRequestsAreInvalidArgument) {
  const v1::AppendRequest request = ValidRequest();
  const std::string whole = request.SerializeAsString();
  // The events field comes last; any cut inside it leaves a length that promises more bytes.
  const std::string event = Bytes(3, request.events(0).SerializeAsString());
  ASSERT_EQ(whole.substr(whole.size() - event.size()), event);
  const std::size_t start = whole.size() - event.size();
  for (std::size_t cut : {start + 1, start + 2, start + event.size() / 2, whole.size() - 1}) {
    const grpc::Status status = RawCall("/wijkboek.v1.EventLog/Append", whole.substr(0, cut));
    EXPECT_TRUE(StatusIs(status, grpc::StatusCode::INVALID_ARGUMENT, "AppendRequest"))
        << "cut at " << cut << " of " << whole.size();
  }
  ExpectServerIntact("truncated requests");
  // The same request whole is accepted: the cuts, not the content, were refused.
  EXPECT_TRUE(RawCall("/wijkboek.v1.EventLog/Append", whole).ok());
  ++valid_appends_;
  ExpectServerIntact("the whole request");
}

TEST_F(MalformedInputTest, BytesThatAreNotProtobufAreRefusedByEveryMethod) {
  const std::vector<std::string> garbage = {
      std::string(1, '\x0f'),                         // wire type 7 does not exist
      std::string(11, '\xff'),                        // a varint longer than 10 bytes
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",            // text: 'G' is field 8, wire type 7
      "\x0f" + RandomBytes(4096, 9),                  // random, after a tag that cannot parse
      Bytes(1, "x").substr(0, 1) + Varint(1u << 30),  // a string said to be 1 GiB long
  };
  // An empty ListPrincipalsRequest is valid and changes nothing: UNIMPLEMENTED means no Admin.
  const bool admin_served = RawCall("/wijkboek.v1.Admin/ListPrincipals", "").error_code() !=
                            grpc::StatusCode::UNIMPLEMENTED;
  std::vector<std::pair<std::string, grpc::StatusCode>> expected;
  for (const std::string& method : kServedMethods) {
    expected.emplace_back(method, grpc::StatusCode::INVALID_ARGUMENT);
  }
  for (const std::string& method : kAdminMethods) {
    expected.emplace_back(method, admin_served ? grpc::StatusCode::INVALID_ARGUMENT
                                               : grpc::StatusCode::UNIMPLEMENTED);
  }
  for (const auto& [method, code] : expected) {
    for (std::size_t i = 0; i < garbage.size(); ++i) {
      EXPECT_TRUE(StatusIs(RawCall(method, garbage[i]), code)) << method << ", garbage " << i;
    }
  }
  ExpectServerIntact("garbage to every method");
}

TEST_F(MalformedInputTest, FieldOfSeveralMegabytesIsResourceExhausted) {
  v1::AppendRequest request = ValidRequest();
  request.mutable_events(0)->mutable_payload()->mutable_partner_joined()->set_name(
      std::string(5 << 20, 'a'));
  const AppendResult typed = Append(server_, request);
  EXPECT_TRUE(StatusIs(typed.status, grpc::StatusCode::RESOURCE_EXHAUSTED)) << "5 MiB name";
  const grpc::Status views = RawCall("/wijkboek.v1.Views/GetPartner",
                                     Bytes(1, std::string(6 << 20, 'b')));
  EXPECT_TRUE(StatusIs(views, grpc::StatusCode::RESOURCE_EXHAUSTED)) << "6 MiB partner id";
  ExpectServerIntact("oversize fields");
}

TEST_F(MalformedInputTest, InvalidUtf8InStringFieldsIsInvalidArgument) {
  // Placeholders of the right length, swapped for invalid UTF-8 in the encoded bytes.
  v1::AppendRequest request = ValidRequest();
  request.set_stream("partner-" + std::string(8, 'Z'));
  request.mutable_events(0)->mutable_payload()->mutable_partner_joined()->set_name("QQQQ");
  (*request.mutable_events(0)->mutable_metadata())["WWWW"] = "ok";
  const std::string encoded = request.SerializeAsString();
  const auto replaced = [&](const std::string& placeholder, const std::string& invalid) {
    std::string bytes = encoded;
    const std::size_t at = bytes.find(placeholder);
    EXPECT_NE(at, std::string::npos) << placeholder;
    return bytes.replace(at, placeholder.size(), invalid);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"stream", replaced(std::string(8, 'Z'), "\xff\xfe\xfd\xfc\xc0\x80\xed\xa0")},
      {"events[0].payload.partner_joined.name", replaced("QQQQ", "\xc3\x28\xa0\xa1")},
      {"events[0].metadata key", replaced("WWWW", "\xe2\x28\xa1\x80")},
  };
  for (const auto& [where, bytes] : cases) {
    EXPECT_TRUE(StatusIs(RawCall("/wijkboek.v1.EventLog/Append", bytes),
                         grpc::StatusCode::INVALID_ARGUMENT))
        << where;
  }
  EXPECT_TRUE(StatusIs(RawCall("/wijkboek.v1.Views/GetPartner", Bytes(1, "bib\xffliotheek")),
                       grpc::StatusCode::INVALID_ARGUMENT));
  ExpectServerIntact("invalid UTF-8");
}

TEST_F(MalformedInputTest, DeepNestingIsInvalidArgument) {
  const std::string valid = ValidRequest().SerializeAsString();
  const std::string event = ValidRequest().events(0).SerializeAsString();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"10,000 groups after a valid request", valid + NestedGroups(10000, true)},
      {"100,000 groups never closed", valid + NestedGroups(100000, false)},
      {"10,000 groups inside an event", Bytes(1, "partner-x") +
                                            Bytes(3, event + NestedGroups(10000, true))},
  };
  for (const auto& [what, bytes] : cases) {
    EXPECT_TRUE(StatusIs(RawCall("/wijkboek.v1.EventLog/Append", bytes),
                         grpc::StatusCode::INVALID_ARGUMENT))
        << what;
  }
  EXPECT_TRUE(StatusIs(RawCall("/wijkboek.v1.Views/ListActions", NestedGroups(10000, true)),
                       grpc::StatusCode::INVALID_ARGUMENT));
  ExpectServerIntact("deep nesting");
}

}  // namespace
}  // namespace itest
