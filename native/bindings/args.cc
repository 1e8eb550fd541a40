#include <cmath>
#include <string>

#include "bindings.h"

namespace auditcast {

bool GetBytes(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Uint8Array* out) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), std::string(name) + " must be a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  *out = value.As<Napi::Uint8Array>();
  return true;
}

bool GetSize(const Napi::CallbackInfo& info, size_t index, const char* name, double* out) {
  Napi::Value value = info[index];
  double v = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(v >= 0 && v <= 9007199254740991.0 && std::trunc(v) == v)) {
    Napi::TypeError::New(info.Env(), std::string(name) + " must be a non-negative integer").ThrowAsJavaScriptException();
    return false;
  }
  *out = v;
  return true;
}

}  // namespace auditcast
