// inflateSection(section, maxInflatedBytes) -> {data, bounds, trailingBytes} | {status, offset, value}
// inflateSectionAsync(section, maxInflatedBytes) -> Promise of the same, inflated on a libuv worker
// releaseInflated(data) -> bool: frees an inflated part now (its Buffer is detached first; its
// memory is kept for the next part, see core/part_memory.h)
// releasePartMemory() -> bytes: frees the memory kept for next parts; partMemory() -> [kept, live]
// Failures, out of memory included, come back as {status, offset, value}, never as a throw.
// The JS adapter turns a status into the error (lib/codec/part-format.ts sectionError).

#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "../core/part_memory.h"
#include "../core/section_inflater.h"
#include "bindings.h"

namespace auditcast {

namespace {

// Inflated parts handed to JS and not yet freed, by data address, so a reader done with a part can
// free it at once instead of waiting for V8 to collect it (shared by all worker threads). An entry
// is added only once its Buffer exists, and removed before its memory is freed.
std::mutex live_mutex;
std::unordered_map<const uint8_t*, OutputBuffer*> live_parts;

void Remember(OutputBuffer* memory) {
  std::lock_guard<std::mutex> lock(live_mutex);
  live_parts[memory->data()] = memory;
}

OutputBuffer* Forget(const uint8_t* data) {
  if (data == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(live_mutex);
  auto it = live_parts.find(data);
  if (it == live_parts.end()) return nullptr;
  OutputBuffer* memory = it->second;
  live_parts.erase(it);
  return memory;
}

// Runs when V8 collects a part's Buffer: the part leaves the registry (unless releaseInflated took
// it out already, leaving it empty) and the OutputBuffer's destructor frees what is left.
void FinalizePart(Napi::Env env, uint8_t*, OutputBuffer* memory) {
  std::unique_ptr<OutputBuffer> owned(memory);
  Forget(owned->data());
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(owned->capacity()));
  PartMemory::Give(std::move(*owned));  // no view of it is left: the next part may reuse its pages
}

// The record bounds as a Uint32Array over the vector's own memory (no copy: a part of tiny records
// has as many bytes of bounds as of records); the array's finalizer frees the vector.
Napi::Value BoundsArray(Napi::Env env, std::vector<uint32_t>&& bounds) {
  size_t count = bounds.size();
  if (count == 0) return Napi::Uint32Array::New(env, 0);
  auto owned = std::make_unique<std::vector<uint32_t>>(std::move(bounds));
  int64_t bytes = static_cast<int64_t>(count * sizeof(uint32_t));
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, owned->data(), count * sizeof(uint32_t),
      [](Napi::Env finalizeEnv, void*, std::vector<uint32_t>* memory) {
        Napi::MemoryManagement::AdjustExternalMemory(finalizeEnv, -static_cast<int64_t>(memory->size() * sizeof(uint32_t)));
        delete memory;
      },
      owned.get());
  if (env.IsExceptionPending()) return env.Undefined();  // `owned` frees the bounds
  owned.release();
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  return Napi::Uint32Array::New(env, count, buffer, 0);
}

Napi::Value StatusObject(Napi::Env env, const StatusInfo& status) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("status", Napi::Number::New(env, status.status));
  out.Set("offset", Napi::Number::New(env, status.offset));
  out.Set("value", Napi::Number::New(env, status.value));
  return out;
}

// Turns the core's result into {data, bounds, trailingBytes} or {status, offset, value} (an
// allocation failure is status kOutOfMemory, which the JS adapter makes a coded error). The
// inflated memory moves into the JS Buffer only once that Buffer exists; on every other path the
// OutputBuffer's destructor frees it.
Napi::Value ResultValue(Napi::Env env, InflatedSection& result, StatusInfo status) {
  if (status.status != kOk) {
    PartMemory::Give(std::move(result.buffer));
    return StatusObject(env, status);
  }
  // Give back what the size guess over-allocated (mremap or realloc: no copy) before V8 owns it,
  // unless it is a few pages: the memory of a smaller part keeps its pages for the larger parts
  // that reuse it next (core/part_memory.h), at most twice the part.
  if (result.buffer.capacity() / 2 > result.size) result.buffer.Resize(result.size, result.size);
  auto owned = std::make_unique<OutputBuffer>(std::move(result.buffer));
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, owned->data(), result.size, FinalizePart, owned.get());
  if (env.IsExceptionPending()) {
    // No Buffer, no finalizer: the memory is still ours and `owned` frees it.
    env.GetAndClearPendingException();
    status.status = kOutOfMemory;
    return StatusObject(env, status);
  }
  OutputBuffer* memory = owned.release();  // the finalizer owns it now
  // Tell V8 how much memory the part holds, so it collects finished parts as soon as it counts.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(memory->capacity()));
  Remember(memory);
  Napi::Value bounds = BoundsArray(env, std::move(result.bounds));
  if (env.IsExceptionPending()) {
    env.GetAndClearPendingException();
    status.status = kOutOfMemory;
    return StatusObject(env, status);  // the Buffer is garbage, its finalizer frees the part
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", buffer);
  out.Set("bounds", bounds);
  out.Set("trailingBytes", Napi::Number::New(env, static_cast<double>(result.trailing_bytes)));
  return out;
}

// The (section, maxInflatedBytes) arguments of both inflate operations.
bool GetSectionArgs(const Napi::CallbackInfo& info, Napi::Uint8Array* section, double* max_inflated) {
  return GetBytes(info, 0, "section", section) && GetSize(info, 1, "maxInflatedBytes", max_inflated);
}

Napi::Value InflateSectionSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array section;
  double max_inflated;
  if (!GetSectionArgs(info, &section, &max_inflated)) return env.Undefined();
  InflatedSection result;
  StatusInfo status = InflateSection(section.Data(), section.ByteLength(), static_cast<uint64_t>(max_inflated), &result);
  return ResultValue(env, result, status);
}

// The baton of inflateSectionAsync: Execute() runs only the core; the section is kept alive (and
// unmoved) by a reference until OnOK, which builds the JS values on the main thread.
class InflateWorker : public Napi::AsyncWorker {
 public:
  InflateWorker(Napi::Env env, Napi::Uint8Array section, uint64_t max_inflated)
      : Napi::AsyncWorker(env, "auditcast:inflateSection"),
        deferred_(Napi::Promise::Deferred::New(env)),
        section_ref_(Napi::Persistent(section)),
        data_(section.Data()),
        size_(section.ByteLength()),
        max_inflated_(max_inflated) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { status_ = InflateSection(data_, size_, max_inflated_, &result_); }

  void OnOK() override {
    Napi::Value value = ResultValue(Env(), result_, status_);
    if (Env().IsExceptionPending()) {
      deferred_.Reject(Env().GetAndClearPendingException().Value());
      return;
    }
    deferred_.Resolve(value);
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> section_ref_;
  const uint8_t* data_;
  size_t size_;
  uint64_t max_inflated_;
  InflatedSection result_;
  StatusInfo status_;
};

Napi::Value InflateSectionAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array section;
  double max_inflated;
  if (!GetSectionArgs(info, &section, &max_inflated)) return env.Undefined();
  InflateWorker* worker = new InflateWorker(env, section, static_cast<uint64_t>(max_inflated));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value ReleaseInflated(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "releaseInflated needs the inflated part's data").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array view = info[0].As<Napi::Uint8Array>();
  Napi::ArrayBuffer buffer = view.ArrayBuffer();
  const uint8_t* data = static_cast<const uint8_t*>(buffer.Data());
  OutputBuffer* memory = Forget(data);
  if (memory == nullptr) return Napi::Boolean::New(env, false);
  // Detached first: every view of the part becomes empty, none can reach freed memory.
  buffer.Detach();
  if (env.IsExceptionPending() || !buffer.IsDetached()) {
    if (env.IsExceptionPending()) env.GetAndClearPendingException();
    Remember(memory);
    return Napi::Boolean::New(env, false);
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(memory->capacity()));
  // Kept for the next part (or freed); the empty OutputBuffer itself goes with the Buffer's finalizer.
  PartMemory::Give(std::move(*memory));
  return Napi::Boolean::New(env, true);
}

}  // namespace

// releasePartMemory() -> bytes freed: the memory kept for next parts, and how many parts are live.
Napi::Value ReleasePartMemory(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(PartMemory::Clear()));
}

// partMemory() -> [kept bytes, live parts (inflated, not yet freed)].
Napi::Value PartMemoryState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t live;
  {
    std::lock_guard<std::mutex> lock(live_mutex);
    live = live_parts.size();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t{0}, Napi::Number::New(env, static_cast<double>(PartMemory::KeptBytes())));
  out.Set(uint32_t{1}, Napi::Number::New(env, static_cast<double>(live)));
  return out;
}

void InitInflateSection(Napi::Env env, Napi::Object exports) {
  exports.Set("releasePartMemory", Napi::Function::New(env, ReleasePartMemory, "releasePartMemory"));
  exports.Set("partMemory", Napi::Function::New(env, PartMemoryState, "partMemory"));
  exports.Set("releaseInflated", Napi::Function::New(env, ReleaseInflated, "releaseInflated"));
  exports.Set("inflateSection", Napi::Function::New(env, InflateSectionSync, "inflateSection"));
  exports.Set("inflateSectionAsync", Napi::Function::New(env, InflateSectionAsync, "inflateSectionAsync"));
}

}  // namespace auditcast
