// deflateChunkAsync(framed) -> Promise<{bytes, crc, rawLength}>: compresses one chunk of framed
// records on a libuv worker, on its own (not yet part of any part), so a stream can compress the
// next chunks while it still waits to learn where the current part ends. PartEncoder.addDeflated
// takes the result.
#include <utility>

#include "../core/chunk_deflater.h"
#include "bindings.h"

namespace auditcast {

namespace {

class DeflateChunkWorker : public Napi::AsyncWorker {
 public:
  DeflateChunkWorker(Napi::Env env, Napi::Uint8Array input)
      : Napi::AsyncWorker(env, "auditcast:deflateChunk"),
        deferred_(Napi::Promise::Deferred::New(env)),
        data_(input.Data()),
        size_(input.ByteLength()) {
    // Keeps the input alive (and unmoved) until OnOK/OnError run on the main thread.
    input_ref_ = Napi::Persistent(input);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    if (!DeflateChunk(data_, size_, &chunk_)) SetError("zlib failed to compress the chunk (out of memory?)");
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::Copy(env, chunk_.bytes.data(), chunk_.bytes.size());
    BufferPool::Chunks().Give(std::move(chunk_.bytes));
    if (env.IsExceptionPending()) {
      deferred_.Reject(env.GetAndClearPendingException().Value());
      return;
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("bytes", bytes);
    out.Set("crc", Napi::Number::New(env, chunk_.crc));
    out.Set("rawLength", Napi::Number::New(env, static_cast<double>(chunk_.raw_size)));
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& error) override {
    BufferPool::Chunks().Give(std::move(chunk_.bytes));
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> input_ref_;
  const uint8_t* data_;
  size_t size_;
  DeflatedChunk chunk_;
};

Napi::Value DeflateChunkAsyncOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array input;
  if (!GetBytes(info, 0, "framed", &input)) return env.Undefined();
  DeflateChunkWorker* worker = new DeflateChunkWorker(env, input);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace

void InitDeflateChunk(Napi::Env env, Napi::Object exports) {
  exports.Set("deflateChunkAsync", Napi::Function::New(env, DeflateChunkAsyncOp, "deflateChunkAsync"));
}

}  // namespace auditcast
