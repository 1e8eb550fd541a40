// inflateSection(section, maxInflatedBytes) -> {data, bounds, trailingBytes} | {status, offset, value}
// inflateSectionAsync(section, maxInflatedBytes) -> Promise of the same, inflated on a libuv worker
// releaseInflated(data) -> bool: frees an inflated part now (its Buffer is detached first)
// The JS adapter turns a status into the error (lib/codec/part-format.ts sectionError).

#include <mutex>
#include <unordered_map>

#include "../core/section_inflater.h"
#include "bindings.h"

namespace auditcast {

namespace {

// Inflated parts handed to JS and not yet freed, by data address, so a reader done with a part can
// free it at once instead of waiting for V8 to collect it (shared by all worker threads).
std::mutex live_mutex;
std::unordered_map<const uint8_t*, OutputBuffer*> live_parts;

void Remember(OutputBuffer* memory) {
  std::lock_guard<std::mutex> lock(live_mutex);
  live_parts[memory->data] = memory;
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

Napi::Value StatusObject(Napi::Env env, const StatusInfo& status) {
  if (status.status == kOutOfMemory) {
    Napi::Error::New(env, "out of memory while inflating a part").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("status", Napi::Number::New(env, status.status));
  out.Set("offset", Napi::Number::New(env, status.offset));
  out.Set("value", Napi::Number::New(env, status.value));
  return out;
}

// Turns the core's result into {data, bounds, trailingBytes} or {status, offset, value}; takes
// ownership of the inflated memory either way.
Napi::Value ResultValue(Napi::Env env, InflatedSection& result, const StatusInfo& status) {
  if (status.status != kOk) {
    result.buffer.Release();
    return StatusObject(env, status);
  }
  // From here on the JS Buffer (or the failure path below) owns the memory.
  OutputBuffer memory = result.buffer;
  result.buffer = OutputBuffer();
  // Give back what the size guess over-allocated (mremap or realloc: no copy) before V8 owns it.
  memory.Resize(result.size, result.size);
  OutputBuffer* owned = new OutputBuffer(memory);
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(
      env, owned->data, result.size,
      [](Napi::Env finalizeEnv, uint8_t*, OutputBuffer* memory) {
        // Still live unless releaseInflated freed it already (then capacity is 0).
        Forget(memory->data);
        Napi::MemoryManagement::AdjustExternalMemory(finalizeEnv, -static_cast<int64_t>(memory->capacity));
        memory->Release();
        delete memory;
      },
      owned);
  // Tell V8 how much memory the part holds, so it collects finished parts as soon as it counts.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(owned->capacity));
  Remember(owned);
  if (env.IsExceptionPending()) {
    owned->Release();
    delete owned;
    return env.Undefined();
  }
  size_t count = result.bounds.size();
  Napi::Uint32Array bounds = Napi::Uint32Array::New(env, count);
  for (size_t i = 0; i < count; i++) bounds[i] = result.bounds[i];
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

  ~InflateWorker() override { result_.buffer.Release(); }

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
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(memory->capacity));
  memory->Release();
  return Napi::Boolean::New(env, true);
}

}  // namespace

void InitInflateSection(Napi::Env env, Napi::Object exports) {
  exports.Set("releaseInflated", Napi::Function::New(env, ReleaseInflated, "releaseInflated"));
  exports.Set("inflateSection", Napi::Function::New(env, InflateSectionSync, "inflateSection"));
  exports.Set("inflateSectionAsync", Napi::Function::New(env, InflateSectionAsync, "inflateSectionAsync"));
}

}  // namespace auditcast
