#include "pty_drain.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <utility>

namespace auditcast {

namespace {

// A pseudo-terminal hands out at most about 4 KiB per read; this leaves room for any other kind.
constexpr size_t kReadBytes = 64 * 1024;

}  // namespace

PtyDrain::PtyDrain(int fd, int echo_fd, size_t max_pending, std::function<void()> notify)
    : fd_(fd), echo_fd_(echo_fd), max_pending_(max_pending), notify_(std::move(notify)) {}

PtyDrain::~PtyDrain() {
  Stop();
  Join();
  if (fd_ >= 0) close(fd_);
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

bool PtyDrain::Start() {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  // Non-blocking so that, once stopped, it reads only what is there.
  int flags = fcntl(fd_, F_GETFL);
  if (flags >= 0) fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  thread_ = std::thread([this] { Run(); });
  return true;
}

void PtyDrain::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  room_.notify_one();
  if (wake_[1] >= 0) {
    ssize_t ignored = write(wake_[1], "x", 1);
    (void)ignored;  // the pipe is only a wake-up; full or not, poll sees it readable
  }
}

PtyDrain::Taken PtyDrain::Take() {
  Taken out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out.bytes.swap(pending_);
    out.ended = ended_;
    out.read_error = read_error_;
    notified_ = false;
  }
  room_.notify_one();
  return out;
}

void PtyDrain::Recycle(std::vector<uint8_t>&& used) {
  used.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  if (used.capacity() > pending_.capacity()) {
    used.insert(used.end(), pending_.begin(), pending_.end());
    pending_.swap(used);
  }
}

void PtyDrain::Join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

// Waits until `fd` is ready for `events`; false when woken by Stop() first.
bool PtyDrain::WaitFor(int fd, short events) {
  struct pollfd fds[2] = {{fd, events, 0}, {wake_[0], POLLIN, 0}};
  for (;;) {
    int n = poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return true;  // let the read or write report the error
    if (fds[0].revents != 0) return true;
    if (fds[1].revents != 0) return false;
  }
}

bool PtyDrain::Echo(const uint8_t* data, size_t size) {
  while (size > 0 && echo_fd_ >= 0) {
    ssize_t n = write(echo_fd_, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The user's terminal is slow (or stopped with ^S): wait for it, as `script` does, unless
      // the drain is being stopped.
      if (!WaitFor(echo_fd_, POLLOUT)) return false;
    } else {
      echo_fd_ = -1;  // gone (EPIPE...): the recording goes on without the echo
    }
  }
  return true;
}

void PtyDrain::Publish(const uint8_t* data, size_t size) {
  bool call;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_.insert(pending_.end(), data, data + size);
    call = !notified_;
    notified_ = true;
  }
  if (call) notify_();
}

void PtyDrain::End(int read_error) {
  close(fd_);
  fd_ = -1;
  bool call;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_ = true;
    read_error_ = read_error;
    call = !notified_;
    notified_ = true;
  }
  if (call) notify_();
}

void PtyDrain::Run() {
  std::vector<uint8_t> buffer(kReadBytes);
  for (;;) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      room_.wait(lock, [this] { return pending_.size() < max_pending_ || stopping_; });
      stopping = stopping_;
      // Stopped while full: what the terminal still holds is lost with it.
      if (stopping && pending_.size() >= max_pending_) {
        lock.unlock();
        return End(0);
      }
    }
    if (!stopping && !WaitFor(fd_, POLLIN)) continue;
    ssize_t n = read(fd_, buffer.data(), buffer.size());
    if (n > 0) {
      if (!Echo(buffer.data(), static_cast<size_t>(n))) echo_fd_ = -1;
      Publish(buffer.data(), static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return End(0);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (stopping) return End(0);
      continue;
    }
    // EIO: every slave side is closed, the terminal's end of file.
    return End(errno == EIO ? 0 : errno);
  }
}

}  // namespace auditcast
