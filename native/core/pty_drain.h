// Reads a pseudo-terminal's master on a thread of its own, the way `script` does: poll, read, echo
// to the user's terminal, keep the bytes. A command writing fast (`seq 1 2000000`) blocks as soon as
// the terminal's small kernel buffer is full, so how fast the recorder empties it bounds the
// command's speed; on the JS event loop every read waited for the recorder's other work. Here the
// master is read as soon as it is readable, and the recorder takes what came in batches (Take).
// POSIX only; no Node-API in this file.
#ifndef AUDITCAST_PTY_DRAIN_H
#define AUDITCAST_PTY_DRAIN_H

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace auditcast {

class PtyDrain {
 public:
  struct Taken {
    std::vector<uint8_t> bytes;
    /** The drain has ended: nothing comes after these bytes. */
    bool ended = false;
    /** errno of a read that failed other than by the terminal's hang-up (EIO), else 0. */
    int read_error = 0;
  };

  // Reads `fd` (owned from here on: closed when the drain ends) until end of file, EIO (every
  // slave side closed), an error, or Stop(). Each read is written to `echo_fd` first when it is
  // >= 0 (a write error only stops the echo). `notify` runs on the drain thread whenever Take()
  // has something new (bytes or the end) after having been taken empty; it must not block.
  // At most `max_pending` bytes wait for Take(): beyond that the drain stops reading, so the
  // command blocks on a full terminal instead of memory growing.
  PtyDrain(int fd, int echo_fd, size_t max_pending, std::function<void()> notify);
  ~PtyDrain();
  PtyDrain(const PtyDrain&) = delete;
  PtyDrain& operator=(const PtyDrain&) = delete;

  /** Starts the thread; false (with errno set) when the wake-up pipe cannot be made. */
  bool Start();
  /** Asks the drain to read what is readable now and end (e.g. the command is gone but some other
   * process keeps its terminal open). Returns at once. */
  void Stop();
  /** Moves out what was read since the last call (main thread). */
  Taken Take();
  /** Gives back the vector of a Take() once used: its memory is kept for the next reads (on this
   * machine kind a page touched for the first time costs ~10-50 us, far more than the copy). */
  void Recycle(std::vector<uint8_t>&& used);
  /** Waits for the thread to finish (after Take() reported the end, or after Stop()). */
  void Join();

 private:
  void Run();
  bool Echo(const uint8_t* data, size_t size);
  bool WaitFor(int fd, short events);
  void Publish(const uint8_t* data, size_t size);
  void End(int read_error);

  int fd_;
  int echo_fd_;
  int wake_[2] = {-1, -1};
  const size_t max_pending_;
  std::function<void()> notify_;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable room_;
  std::vector<uint8_t> pending_;
  bool notified_ = false;
  bool ended_ = false;
  bool stopping_ = false;
  int read_error_ = 0;
};

}  // namespace auditcast

#endif
