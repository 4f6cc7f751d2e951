#pragma once
// The Cozy admin realtime websocket (COZY.md "GET /realtime/"), with
// Boost.Beast on the one io_context: Basic auth on the upgrade,
// subprotocol `io.cozy.websocket`, SUBSCRIBE to io.cozy.exports, events for
// all instances. The socket is kept up: when it drops it reconnects at once
// (with a short capped backoff while connecting fails), each (re)connect
// taking a token from the stack's gate but no in-flight slot. Events sent
// while it is down are lost for good: callers give every export a deadline.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/env/time.hpp"
#include "engine/net/realtime_event.hpp"

namespace passage {

class RequestGate;

class RealtimeClient {
 public:
  using EventHandler = std::function<void(const RealtimeEvent&)>;

  // `base_url`: the admin API's URL, e.g. http://127.0.0.1:6060 (http://
  // only for now; anything else throws std::invalid_argument, whose message
  // quotes neither the URL nor the passphrase). `gate` must outlive the
  // io_context's run. Every call comes from the io_context's thread. The
  // handler is never called after stop(); an exception from it is dropped.
  RealtimeClient(boost::asio::io_context& io, std::string base_url, std::string passphrase,
                 RequestGate& gate, EventHandler on_event);
  ~RealtimeClient();
  RealtimeClient(const RealtimeClient&) = delete;
  RealtimeClient& operator=(const RealtimeClient&) = delete;

  // Starts connecting (idempotent); keeps reconnecting until stop().
  void start();
  // Completes once subscribed (true), or false when `timeout` passes first.
  boost::asio::awaitable<bool> wait_subscribed(Millis timeout);
  bool subscribed() const;
  // Closes the socket and stops reconnecting; pending waits complete.
  // Idempotent; the destructor calls it. The object may be destroyed right
  // after, while the io_context runs on: the closing handshake (at most 1 s
  // before the socket is cut) winds down on its own.
  void stop();
  // Connections made so far (first one included): websocket upgrades that
  // succeeded.
  int connections() const;
  // Connection attempts so far (each took a gate token), failed ones too.
  int attempts() const;

 private:
  class Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace passage
