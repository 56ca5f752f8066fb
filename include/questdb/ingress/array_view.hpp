#pragma once

/// @file
/// questdb::ingress::NdArrayView: a borrowed N-dimensional array (flat elements, a shape and
/// optional strides) for Buffer::column_arr, plus the traits that let Buffer take nested
/// std::vector / std::span / std::array arrays.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace questdb::ingress {

/// Largest number of dimensions a QuestDB array may have.
inline constexpr std::size_t kMaxArrayDims = 32;
/// Largest number of elements in one array value (512 MiB of 8-byte elements).
inline constexpr std::size_t kMaxArrayElements = std::size_t{1} << 26;

/// True for the element types QuestDB arrays hold: double (DOUBLE[]) and std::int64_t
/// (LONG[]).
template <typename T>
inline constexpr bool is_array_element_v =
    std::is_same_v<T, double> || std::is_same_v<T, std::int64_t>;

/// A borrowed N-dimensional array of double or std::int64_t: `shape` holds the length of each
/// dimension (outermost first), `strides` the distance in elements between neighbours along
/// each dimension (empty = C-contiguous, row-major), and element (i0, i1, ...) lives at
/// data[sum(ik * strides[k])]. Negative strides are allowed as long as every element lies
/// inside `data`.
///
/// The view copies nothing and checks nothing: it borrows all three spans, which must stay
/// alive while the view is used; Buffer::column_arr validates and copies the elements.
/// Trivially copyable; thread safety is that of the borrowed memory.
template <typename T>
requires is_array_element_v<T>
class NdArrayView {
  public:
    /// A view of `data` shaped by `shape`, with element `strides` (empty = C-contiguous).
    constexpr NdArrayView(std::span<const T> data, std::span<const std::size_t> shape,
                          std::span<const std::ptrdiff_t> strides = {}) noexcept
        : data_(data), shape_(shape), strides_(strides) {}

    /// The borrowed elements.
    [[nodiscard]] constexpr std::span<const T> data() const noexcept { return data_; }
    /// The borrowed dimension lengths, outermost first.
    [[nodiscard]] constexpr std::span<const std::size_t> shape() const noexcept { return shape_; }
    /// The borrowed element strides (empty = C-contiguous).
    [[nodiscard]] constexpr std::span<const std::ptrdiff_t> strides() const noexcept {
        return strides_;
    }
    /// The number of dimensions.
    [[nodiscard]] constexpr std::size_t rank() const noexcept { return shape_.size(); }

  private:
    std::span<const T> data_;
    std::span<const std::size_t> shape_;
    std::span<const std::ptrdiff_t> strides_;
};

namespace array_detail {

/// Nesting of std::vector, std::span and std::array around a leaf element: `depth` levels
/// (0 for a leaf), `leaf` the element type.
template <typename T>
struct Nesting {
    using leaf = T;
    static constexpr std::size_t depth = 0;
};
template <typename T, typename A>
struct Nesting<std::vector<T, A>> {
    using leaf = typename Nesting<std::remove_cv_t<T>>::leaf;
    static constexpr std::size_t depth = Nesting<std::remove_cv_t<T>>::depth + 1;
};
template <typename T, std::size_t N>
struct Nesting<std::span<T, N>> {
    using leaf = typename Nesting<std::remove_cv_t<T>>::leaf;
    static constexpr std::size_t depth = Nesting<std::remove_cv_t<T>>::depth + 1;
};
template <typename T, std::size_t N>
struct Nesting<std::array<T, N>> {
    using leaf = typename Nesting<std::remove_cv_t<T>>::leaf;
    static constexpr std::size_t depth = Nesting<std::remove_cv_t<T>>::depth + 1;
};

/// True for a nesting of at least one level around double or std::int64_t.
template <typename T>
inline constexpr bool is_nested_array_v =
    Nesting<T>::depth >= 1 && is_array_element_v<typename Nesting<T>::leaf>;

/// Writes the nesting's shape into `shape` (depth entries). An empty level hides the inner
/// lengths, which are reported as 0.
template <typename T>
void shape_of(const T& v, std::size_t* shape) {
    if constexpr (Nesting<T>::depth > 0) {
        *shape = v.size();
        if constexpr (Nesting<T>::depth > 1) {
            if (v.size() == 0) {
                for (std::size_t k = 1; k < Nesting<T>::depth; ++k)
                    shape[k] = 0;
            } else {
                shape_of(*v.begin(), shape + 1);
            }
        }
    }
}

/// Copies the leaves row-major into `out`; false when some level's length differs from
/// `shape` (the nesting is not rectangular).
template <typename Leaf, typename T>
bool flatten(const T& v, const std::size_t* shape, Leaf*& out) {
    if constexpr (Nesting<T>::depth == 0) {
        *out++ = v;
        return true;
    } else {
        if (v.size() != *shape)
            return false;
        for (const auto& e : v) {
            if (!flatten<Leaf>(e, shape + 1, out))
                return false;
        }
        return true;
    }
}

}  // namespace array_detail
}  // namespace questdb::ingress
