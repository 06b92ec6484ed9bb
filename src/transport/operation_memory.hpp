// Memory that an object's asynchronous operations reuse, one after another, instead of each
// taking its own from the heap: Asio allocates an operation through its completion handler's
// associated allocator (asio::bind_allocator). A connection's deadline wait otherwise takes
// one of the two blocks of Asio's per-thread cache, which a request's socket write then
// misses (docs/performance.md).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>

namespace dynomite::detail {

/// `Count` blocks of `Size` bytes, each for one operation at a time. An operation that finds
/// them taken, or that is larger, gets the heap's. The flags are atomic because an operation's
/// memory is given back on the thread that completes it, which need not be the thread that
/// takes the block next (a timer wait cancelled on one thread and armed again on another).
template <std::size_t Size, std::size_t Count = 1>
class operation_memory {
public:
    operation_memory() = default;
    operation_memory(const operation_memory&) = delete;
    operation_memory& operator=(const operation_memory&) = delete;

    void* allocate(std::size_t size)
    {
        if (size <= Size)
            for (block& b : blocks_)
                if (!b.in_use.exchange(true, std::memory_order_acquire)) return b.bytes;
        return ::operator new(size);
    }
    void deallocate(void* p) noexcept
    {
        for (block& b : blocks_)
            if (p == b.bytes) return b.in_use.store(false, std::memory_order_release);
        ::operator delete(p);
    }

    /// How many blocks operations hold now.
    std::size_t blocks_in_use() const noexcept
    {
        std::size_t n = 0;
        for (const block& b : blocks_) n += b.in_use.load(std::memory_order_relaxed) ? 1 : 0;
        return n;
    }

private:
    struct block {
        alignas(std::max_align_t) unsigned char bytes[Size];
        std::atomic<bool> in_use{false};
    };
    std::array<block, Count> blocks_;
};

/// The allocator Asio takes from a handler bound with asio::bind_allocator. The memory must
/// outlive every operation bound to it: Asio gives an operation's memory back before the
/// handler runs, while the handler (and what it keeps alive) still exists.
template <class T, std::size_t Size, std::size_t Count = 1>
class operation_allocator {
public:
    using value_type = T;
    template <class U>
    struct rebind {
        using other = operation_allocator<U, Size, Count>;
    };

    explicit operation_allocator(operation_memory<Size, Count>& memory) noexcept
        : memory_(&memory)
    {
    }
    template <class U>
    operation_allocator(const operation_allocator<U, Size, Count>& other) noexcept
        : memory_(other.memory_)
    {
    }

    T* allocate(std::size_t n)
    {
        if constexpr (alignof(T) > alignof(std::max_align_t))
            return std::allocator<T>().allocate(n);
        else
            return static_cast<T*>(memory_->allocate(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept
    {
        if constexpr (alignof(T) > alignof(std::max_align_t))
            std::allocator<T>().deallocate(p, n);
        else
            memory_->deallocate(p);
    }

    template <class U>
    bool operator==(const operation_allocator<U, Size, Count>& other) const noexcept
    {
        return memory_ == other.memory_;
    }

private:
    template <class, std::size_t, std::size_t>
    friend class operation_allocator;
    operation_memory<Size, Count>* memory_;
};

}  // namespace dynomite::detail
