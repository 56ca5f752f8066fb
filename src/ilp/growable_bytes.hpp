#pragma once

// An append-only byte store for the ILP line writer. Unlike std::vector it never
// zero-fills on growth and lets a writer reserve a region, fill it through a raw pointer
// and commit only what it wrote, which keeps escaping and number formatting branch-light.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

namespace questdb::ilp {

class GrowableBytes {
  public:
    GrowableBytes() = default;
    explicit GrowableBytes(std::size_t initial_capacity) { reserve(initial_capacity); }

    GrowableBytes(const GrowableBytes& other) { append(other.data(), other.size()); }
    GrowableBytes& operator=(const GrowableBytes& other) {
        if (this != &other) {
            size_ = 0;
            append(other.data(), other.size());
        }
        return *this;
    }
    GrowableBytes(GrowableBytes&& other) noexcept
        : data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
        other.size_ = 0;
        other.capacity_ = 0;
    }
    GrowableBytes& operator=(GrowableBytes&& other) noexcept {
        data_ = std::move(other.data_);
        size_ = other.size_;
        capacity_ = other.capacity_;
        other.size_ = 0;
        other.capacity_ = 0;
        return *this;
    }

    [[nodiscard]] const std::uint8_t* data() const noexcept { return data_.get(); }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::string_view view() const noexcept {
        return {reinterpret_cast<const char*>(data_.get()), size_};
    }

    void reserve(std::size_t capacity) {
        if (capacity > capacity_) {
            grow_to(capacity);
        }
    }

    /// Makes room for `n` more bytes and returns where they go; call commit(n) after.
    std::uint8_t* prepare(std::size_t n) {
        if (capacity_ - size_ < n) {
            grow_to(size_ + n);
        }
        return data_.get() + size_;
    }
    void commit(std::size_t n) noexcept { size_ += n; }

    void push(std::uint8_t byte) {
        *prepare(1) = byte;
        ++size_;
    }
    void push(char c) { push(static_cast<std::uint8_t>(c)); }

    void append(const void* bytes, std::size_t n) {
        if (n == 0) {
            return;
        }
        std::memcpy(prepare(n), bytes, n);
        size_ += n;
    }
    void append(std::string_view s) { append(s.data(), s.size()); }

    void truncate(std::size_t size) noexcept {
        if (size < size_) {
            size_ = size;
        }
    }
    void clear() noexcept { size_ = 0; }

  private:
    void grow_to(std::size_t needed) {
        std::size_t capacity = capacity_ < 64 ? 64 : capacity_;
        while (capacity < needed) {
            capacity = capacity > (SIZE_MAX / 2) ? needed : capacity * 2;
        }
        std::unique_ptr<std::uint8_t[]> fresh(new std::uint8_t[capacity]);
        if (size_ != 0) {
            std::memcpy(fresh.get(), data_.get(), size_);
        }
        data_ = std::move(fresh);
        capacity_ = capacity;
    }

    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace questdb::ilp
