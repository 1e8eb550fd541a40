// PartEncoder: a JS class over core/part_assembler. addChunk compresses on the calling thread;
// addChunkAsync fills a baton and compresses on a libuv worker (the slot is reserved at call time,
// so chunks stay in call order whatever order the workers finish in).
#include <memory>
#include <utility>

#include "../core/chunk_deflater.h"
#include "../core/part_assembler.h"
#include "bindings.h"

namespace auditcast {

namespace {

class PartEncoderWrap : public Napi::ObjectWrap<PartEncoderWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PartEncoder",
                       {
                           InstanceMethod<&PartEncoderWrap::AddChunk>("addChunk"),
                           InstanceMethod<&PartEncoderWrap::AddChunkAsync>("addChunkAsync"),
                           InstanceMethod<&PartEncoderWrap::AddDeflated>("addDeflated"),
                           InstanceMethod<&PartEncoderWrap::Finish>("finish"),
                           InstanceAccessor<&PartEncoderWrap::CompressedBytes>("compressedBytes"),
                           InstanceAccessor<&PartEncoderWrap::RawBytes>("rawBytes"),
                           InstanceAccessor<&PartEncoderWrap::Pending>("pending"),
                       });
  }

  explicit PartEncoderWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<PartEncoderWrap>(info), assembler_(std::make_shared<PartAssembler>()) {}

 private:
  bool CheckOpen(Napi::Env env) {
    if (!assembler_->finished()) return true;
    Napi::Error::New(env, "part already finished").ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value AddChunk(const Napi::CallbackInfo& info);
  Napi::Value AddChunkAsync(const Napi::CallbackInfo& info);
  Napi::Value AddDeflated(const Napi::CallbackInfo& info);

  Napi::Value Finish(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double pad_to;
    if (!GetSize(info, 0, "padTo", &pad_to)) return env.Undefined();
    if (!CheckOpen(env)) return env.Undefined();
    if (assembler_->pending() != 0) {
      Napi::Error::New(env, "part has chunks still being compressed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (assembler_->failed()) {
      Napi::Error::New(env, "part lost a chunk that failed to compress").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint64_t unpadded = assembler_->UnpaddedSize();
    uint64_t padding = pad_to > static_cast<double>(unpadded) ? static_cast<uint64_t>(pad_to) - unpadded : 0;
    // Check the size before allocating: a Buffer cannot be larger than 4 GiB here.
    if (unpadded + padding > (uint64_t{1} << 32)) {
      Napi::RangeError::New(env, "part would be larger than 4 GiB").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(unpadded + padding));
    if (env.IsExceptionPending()) return env.Undefined();
    assembler_->Finish(out.Data(), padding);
    return out;
  }

  Napi::Value CompressedBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), assembler_->compressed_bytes());
  }
  Napi::Value RawBytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), assembler_->raw_bytes()); }
  Napi::Value Pending(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(assembler_->pending()));
  }

  // Shared with in-flight workers, so a worker finishing during teardown (after the JS object was
  // finalized) still touches live memory.
  std::shared_ptr<PartAssembler> assembler_;
};

// The baton: everything Execute() needs, filled on the main thread. The references keep the
// encoder and the input alive (and unmoved) until OnOK/OnError run on the main thread.
class DeflateWorker : public Napi::AsyncWorker {
 public:
  DeflateWorker(Napi::Env env, Napi::Object encoder, std::shared_ptr<PartAssembler> assembler, Napi::Uint8Array input)
      : Napi::AsyncWorker(env, "auditcast:deflateChunk"),
        deferred_(Napi::Promise::Deferred::New(env)),
        assembler_(std::move(assembler)),
        slot_(assembler_->Reserve()),
        data_(input.Data()),
        size_(input.ByteLength()) {
    encoder_ref_ = Napi::Persistent(encoder);
    input_ref_ = Napi::Persistent(input);
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    if (!DeflateChunk(data_, size_, &chunk_)) SetError("zlib failed to compress the chunk (out of memory?)");
  }

  void OnOK() override {
    double compressed = assembler_->Fill(slot_, std::move(chunk_));
    deferred_.Resolve(Napi::Number::New(Env(), compressed));
  }

  void OnError(const Napi::Error& error) override {
    assembler_->Abandon(slot_);
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<PartAssembler> assembler_;
  Napi::ObjectReference encoder_ref_;
  Napi::Reference<Napi::Uint8Array> input_ref_;
  size_t slot_;
  const uint8_t* data_;
  size_t size_;
  DeflatedChunk chunk_;
};

Napi::Value PartEncoderWrap::AddChunk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array input;
  if (!GetBytes(info, 0, "framed", &input)) return env.Undefined();
  if (!CheckOpen(env)) return env.Undefined();
  if (input.ByteLength() == 0) return Napi::Number::New(env, assembler_->compressed_bytes());
  DeflatedChunk chunk;
  if (!DeflateChunk(input.Data(), input.ByteLength(), &chunk)) {
    Napi::Error::New(env, "zlib failed to compress the chunk (out of memory?)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t slot = assembler_->Reserve();
  return Napi::Number::New(env, assembler_->Fill(slot, std::move(chunk)));
}

Napi::Value PartEncoderWrap::AddChunkAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array input;
  if (!GetBytes(info, 0, "framed", &input)) return env.Undefined();
  if (!CheckOpen(env)) return env.Undefined();
  if (input.ByteLength() == 0) {
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(Napi::Number::New(env, assembler_->compressed_bytes()));
    return done.Promise();
  }
  DeflateWorker* worker = new DeflateWorker(env, Value(), assembler_, input);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// addDeflated(bytes, crc, rawLength): a chunk compressed beforehand by deflateChunkAsync.
Napi::Value PartEncoderWrap::AddDeflated(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes;
  double crc;
  double raw_length;
  if (!GetBytes(info, 0, "bytes", &bytes) || !GetSize(info, 1, "crc", &crc) || !GetSize(info, 2, "rawLength", &raw_length)) {
    return env.Undefined();
  }
  if (crc > 0xffffffffu) {
    Napi::TypeError::New(env, "crc must be a 32-bit unsigned integer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!CheckOpen(env)) return env.Undefined();
  if (raw_length == 0) return Napi::Number::New(env, assembler_->compressed_bytes());
  DeflatedChunk chunk;
  chunk.bytes = BufferPool::Chunks().Take();
  chunk.bytes.assign(bytes.Data(), bytes.Data() + bytes.ByteLength());
  chunk.crc = static_cast<uint32_t>(crc);
  chunk.raw_size = static_cast<size_t>(raw_length);
  size_t slot = assembler_->Reserve();
  return Napi::Number::New(env, assembler_->Fill(slot, std::move(chunk)));
}

}  // namespace

void InitPartEncoder(Napi::Env env, Napi::Object exports) {
  exports.Set("PartEncoder", PartEncoderWrap::Define(env));
}

}  // namespace auditcast
