// Result of validating one input: a value, or a coded reason it is invalid.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace gh {

struct Invalid {
  std::string code;     // stable machine code, e.g. "citizen_id.checksum"
  std::string message;  // for humans (English)
};

template <class T>
class Checked {
 public:
  Checked(T value) : value_(std::move(value)) {}
  Checked(Invalid error) : error_(std::move(error)) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const T& value() const { return *value_; }
  const Invalid& error() const { return error_; }

 private:
  std::optional<T> value_;
  Invalid error_;
};

}  // namespace gh
