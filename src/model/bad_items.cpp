// The list on_bad_item() reports skipped items to.
#include <dynomite/model/bad_item.hpp>

#include <mutex>
#include <utility>

namespace dynomite {

struct bad_items::state {
    mutable std::mutex mutex;
    std::vector<bad_item> items;
};

bad_items::bad_items() : state_(std::make_shared<state>()) {}

std::vector<bad_item> bad_items::items() const
{
    const std::lock_guard lock(state_->mutex);
    return state_->items;
}

std::size_t bad_items::size() const
{
    const std::lock_guard lock(state_->mutex);
    return state_->items.size();
}

void bad_items::add(bad_item item) const
{
    const std::lock_guard lock(state_->mutex);
    state_->items.push_back(std::move(item));
}

void bad_items::clear() const
{
    const std::lock_guard lock(state_->mutex);
    state_->items.clear();
}

}  // namespace dynomite
