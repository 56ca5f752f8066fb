// Global operator new/delete replacements that count allocations (see alloc_count.hpp).
// Linked into every bench binary by questdb_add_bench.

#include "alloc_count.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::uint64_t> g_process_allocations{0};
thread_local std::uint64_t t_thread_allocations = 0;

void* counted_alloc(std::size_t size, std::size_t alignment) {
    g_process_allocations.fetch_add(1, std::memory_order_relaxed);
    ++t_thread_allocations;
    if (size == 0)
        size = 1;
    void* p = nullptr;
    if (alignment <= alignof(std::max_align_t)) {
        p = std::malloc(size);
    } else if (::posix_memalign(&p, alignment, size) != 0) {
        p = nullptr;
    }
    return p;
}

void* counted_alloc_or_throw(std::size_t size, std::size_t alignment) {
    void* p = counted_alloc(size, alignment);
    if (p == nullptr)
        throw std::bad_alloc();
    return p;
}

}  // namespace

namespace qdb_bench {
std::uint64_t process_allocations() noexcept {
    return g_process_allocations.load(std::memory_order_relaxed);
}
std::uint64_t thread_allocations() noexcept {
    return t_thread_allocations;
}
}  // namespace qdb_bench

void* operator new(std::size_t n) {
    return counted_alloc_or_throw(n, 0);
}
void* operator new[](std::size_t n) {
    return counted_alloc_or_throw(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a) {
    return counted_alloc_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
    return counted_alloc_or_throw(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc(n, 0);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    return counted_alloc(n, 0);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_alloc(n, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    std::free(p);
}
