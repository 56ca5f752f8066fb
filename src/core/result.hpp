#pragma once

// Internal error plumbing. Internals return Status/Result and never throw for expected
// failures; the public API converts them with value_or_throw()/throw_if_error() at its
// boundary, so exceptions cross exactly one layer.

#include <string>
#include <utility>
#include <variant>

#include "questdb/error.hpp"

namespace questdb::detail {

/// A failure: the code and a message naming the offending table/column/key.
struct Failure {
    ErrorCode code;
    std::string message;
    bool in_doubt = false;
};

/// Success, or a Failure.
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Failure failure) : failure_(std::move(failure)), ok_(false) {}  // NOLINT implicit

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    [[nodiscard]] const Failure& failure() const& { return failure_; }
    [[nodiscard]] Failure&& failure() && { return std::move(failure_); }

private:
    Failure failure_{};
    bool ok_ = true;
};

/// A value, or a Failure.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}          // NOLINT implicit
    Result(Failure failure) : state_(std::move(failure)) {}  // NOLINT implicit

    [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] T& value() & { return std::get<0>(state_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
    [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
    [[nodiscard]] const Failure& failure() const& { return std::get<1>(state_); }
    [[nodiscard]] Failure&& failure() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Failure> state_;
};

inline Failure fail(ErrorCode code, std::string message) {
    return Failure{code, std::move(message)};
}

[[noreturn]] inline void throw_failure(Failure failure) {
    throw Error(failure.code, std::move(failure.message), failure.in_doubt);
}

inline void throw_if_error(Status status) {
    if (!status.ok()) {
        throw_failure(std::move(status).failure());
    }
}

template <typename T>
T value_or_throw(Result<T> result) {
    if (!result.ok()) {
        throw_failure(std::move(result).failure());
    }
    return std::move(result).value();
}

}  // namespace questdb::detail
