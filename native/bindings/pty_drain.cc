// new PtyDrain(fd, echoFd, maxPending, onData): reads a pseudo-terminal master on its own thread
// (core/pty_drain) and hands what came to onData(bytes, ended, errno) on the main thread, one call
// per batch however many reads it took. fd is duplicated here: the caller keeps its own. echoFd
// (-1 for none) gets every read first. stop() ends the drain once what is readable now is read.
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "../core/pty_drain.h"
#include "bindings.h"

namespace auditcast {

namespace {

class PtyDrainWrap : public Napi::ObjectWrap<PtyDrainWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PtyDrain", {InstanceMethod<&PtyDrainWrap::Stop>("stop")});
  }

  explicit PtyDrainWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PtyDrainWrap>(info) {
    Napi::Env env = info.Env();
    double fd, max_pending;
    if (!GetSize(info, 0, "fd", &fd)) return;
    if (info.Length() < 2 || !info[1].IsNumber()) {
      Napi::TypeError::New(env, "echoFd must be a number").ThrowAsJavaScriptException();
      return;
    }
    int echo_fd = info[1].As<Napi::Number>().Int32Value();
    if (!GetSize(info, 2, "maxPending", &max_pending)) return;
    if (info.Length() < 4 || !info[3].IsFunction()) {
      Napi::TypeError::New(env, "onData must be a function").ThrowAsJavaScriptException();
      return;
    }
    int own = fcntl(static_cast<int>(fd), F_DUPFD_CLOEXEC, 0);
    if (own < 0) {
      Napi::Error::New(env, std::string("cannot duplicate the terminal's fd: ") + strerror(errno))
          .ThrowAsJavaScriptException();
      return;
    }
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[3].As<Napi::Function>(), "auditcast:ptyDrain", 0, 1);
    drain_ = std::make_unique<PtyDrain>(own, echo_fd < 0 ? -1 : echo_fd, static_cast<size_t>(max_pending),
                                        [this] { tsfn_.NonBlockingCall([this](Napi::Env e, Napi::Function f) { Deliver(e, f); }); });
    if (!drain_->Start()) {
      int error = errno;
      drain_.reset();  // closes `own`
      tsfn_.Release();
      Napi::Error::New(env, std::string("cannot start the terminal reader: ") + strerror(error))
          .ThrowAsJavaScriptException();
      return;
    }
    // Kept alive while the thread runs, whatever JS holds: its callbacks point here.
    Ref();
  }

 private:
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (drain_) drain_->Stop();
    return info.Env().Undefined();
  }

  void Deliver(Napi::Env env, Napi::Function on_data) {
    if (!drain_) return;
    PtyDrain::Taken taken = drain_->Take();
    // In pieces of at most kDeliverBytes: small buffers come from (and go back to) malloc's heap,
    // where a big one would be fresh pages each time.
    size_t size = taken.bytes.size();
    for (size_t at = 0; at < size; at += kDeliverBytes) {
      size_t piece = std::min(kDeliverBytes, size - at);
      Napi::Value bytes = Napi::Buffer<uint8_t>::Copy(env, taken.bytes.data() + at, piece);
      if (env.IsExceptionPending()) break;
      bool last = at + piece == size;
      on_data.Call({bytes, Napi::Boolean::New(env, last && taken.ended), Napi::Number::New(env, last ? taken.read_error : 0)});
      if (env.IsExceptionPending()) break;
    }
    if (!taken.ended) {
      drain_->Recycle(std::move(taken.bytes));
      return;
    }
    drain_->Join();
    drain_.reset();
    tsfn_.Release();
    if (size == 0 && !env.IsExceptionPending()) {
      on_data.Call({env.Null(), Napi::Boolean::New(env, true), Napi::Number::New(env, taken.read_error)});
    }
    Unref();  // last: nothing here runs after this object may be collected
  }

  static constexpr size_t kDeliverBytes = 64 * 1024;

  Napi::ThreadSafeFunction tsfn_;
  // Declared last, so destroyed first: its thread may still call tsfn_ until it is joined.
  std::unique_ptr<PtyDrain> drain_;
};

}  // namespace

void InitPtyDrain(Napi::Env env, Napi::Object exports) {
  exports.Set("PtyDrain", PtyDrainWrap::Define(env));
}

}  // namespace auditcast
