// ZipCheckPool: checks run on a boost::asio::thread_pool; each result is
// posted back to the io_context and delivered on the awaiting coroutine's
// own executor, so the event loop never blocks and never shares state with
// a pool thread.

#include <exception>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/archive/zip_check.hpp"

namespace passage {

namespace asio = boost::asio;

class ZipCheckPool::Impl {
 public:
  Impl(asio::io_context& io, int threads)
      : m_io(io), m_pool(static_cast<std::size_t>(threads < 1 ? 1 : threads)) {}

  ~Impl() {
    m_stop = true;
    m_pool.join();
  }

  // The async_initiate initiation: run `work` (noexcept) on the pool, then
  // hand its result to `handler` through the io_context.
  template <typename Handler, typename Work>
  void start(Handler handler, Work work) {
    auto io_work = asio::make_work_guard(m_io);
    asio::post(m_pool, [this, io_work = std::move(io_work), handler = std::move(handler),
                        work = std::move(work)]() mutable {
      auto result = work();
      // post() to the io_context, then dispatch on the handler's associated
      // executor (the coroutine's), which append() keeps.
      try {
        asio::post(m_io, asio::append(std::move(handler), std::move(result)));
      } catch (...) {
        // Out of memory while posting: nothing left to report it to.
      }
      io_work.reset();
    });
  }

 public:
  // Never lets an exception escape onto a pool thread.
  ZipCheck run(const std::filesystem::path& file, bool first_part, std::int64_t max_uncompressed) noexcept {
    ZipCheck result;
    try {
      if (m_stop) {
        result.problem = "check abandoned";
        return result;
      }
      return check_zip_part(file, first_part, m_stop, max_uncompressed);
    } catch (const std::exception& error) {
      result.problem = std::string("check failed: ") + error.what();
    } catch (...) {
      result.problem = "check failed";
    }
    return result;
  }

  // Nothing when abandoned or failed, as for a part that cannot be read.
  std::optional<std::int64_t> entries(const std::filesystem::path& file) noexcept {
    try {
      if (m_stop) return std::nullopt;
      return count_zip_entries(file);
    } catch (...) {
      return std::nullopt;
    }
  }

 private:
  asio::io_context& m_io;
  std::atomic<bool> m_stop{false};
  asio::thread_pool m_pool;
};

ZipCheckPool::ZipCheckPool(asio::io_context& io, int threads)
    : m_impl(std::make_unique<Impl>(io, threads)) {}

ZipCheckPool::~ZipCheckPool() = default;

asio::awaitable<ZipCheck> ZipCheckPool::check(std::filesystem::path file, bool first_part,
                                              std::int64_t max_uncompressed) {
  Impl* impl = m_impl.get();
  auto initiation = [impl](auto handler, std::filesystem::path file, bool first_part, std::int64_t max) {
    impl->start(std::move(handler),
                [impl, file = std::move(file), first_part, max] { return impl->run(file, first_part, max); });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(ZipCheck)>(
      std::move(initiation), asio::use_awaitable, std::move(file), first_part, max_uncompressed);
}

asio::awaitable<std::optional<std::int64_t>> ZipCheckPool::count_entries(std::filesystem::path file) {
  Impl* impl = m_impl.get();
  auto initiation = [impl](auto handler, std::filesystem::path file) {
    impl->start(std::move(handler), [impl, file = std::move(file)] { return impl->entries(file); });
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::optional<std::int64_t>)>(
      std::move(initiation), asio::use_awaitable, std::move(file));
}

}  // namespace passage
