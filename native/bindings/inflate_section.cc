// inflateSection(section, maxInflatedBytes) -> {data, bounds, trailingBytes} | {status, offset, value}
// The JS adapter turns a status into the error (lib/codec/part-format.ts sectionError).

#include "../core/section_inflater.h"
#include "bindings.h"

namespace auditcast {

namespace {

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

Napi::Value InflateSectionSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array section;
  double max_inflated;
  if (!GetBytes(info, 0, "section", &section) || !GetSize(info, 1, "maxInflatedBytes", &max_inflated)) {
    return env.Undefined();
  }
  InflatedSection result;
  StatusInfo status = InflateSection(section.Data(), section.ByteLength(), static_cast<uint64_t>(max_inflated), &result);
  if (status.status != kOk) {
    result.buffer.Release();
    return StatusObject(env, status);
  }
  // Give back what the size guess over-allocated (mremap or realloc: no copy) before V8 owns it.
  result.buffer.Resize(result.size, result.size);
  OutputBuffer* owned = new OutputBuffer(result.buffer);
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(
      env, owned->data, result.size,
      [](Napi::Env, uint8_t*, OutputBuffer* memory) {
        memory->Release();
        delete memory;
      },
      owned);
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

}  // namespace

void InitInflateSection(Napi::Env env, Napi::Object exports) {
  exports.Set("inflateSection", Napi::Function::New(env, InflateSectionSync, "inflateSection"));
}

}  // namespace auditcast
