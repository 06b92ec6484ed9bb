#include "query/stream_shards.hpp"

#include <algorithm>
#include <utility>

namespace dynomite::detail {

bool sequence_less(std::string_view a, std::string_view b) noexcept
{
    const auto significant = [](std::string_view s) {
        const std::size_t first = s.find_first_not_of('0');
        return first == std::string_view::npos ? std::string_view() : s.substr(first);
    };
    a = significant(a);
    b = significant(b);
    if (a.size() != b.size()) return a.size() < b.size();
    return a < b;
}

namespace {

/// How far the stream's clock may be ahead of this one: records up to this much older than
/// a LATEST position are read again rather than risk passing over newer ones.
constexpr double clock_allowance_seconds = 5;

}  // namespace

shard_tracker::shard_tracker(std::string stream_arn, change_feed_options options)
    : stream_arn_(std::move(stream_arn)), options_(std::move(options))
{
}

shard_tracker::shard_tracker(std::string stream_arn, change_feed_options options,
                             const std::vector<shard_checkpoint>& checkpoints)
    : shard_tracker(std::move(stream_arn), std::move(options))
{
    for (const shard_checkpoint& checkpoint : checkpoints) {
        checkpoints_[checkpoint.shard_id] = checkpoint.sequence_number;
    }
}

shard_tracker::tracked_shard* shard_tracker::find(std::string_view id)
{
    for (tracked_shard& shard : shards_) {
        if (shard.id == id) return &shard;
    }
    return nullptr;
}

bool shard_tracker::parent_done(const tracked_shard& shard) const
{
    if (!shard.parent) return true;
    for (const tracked_shard& other : shards_) {
        if (other.id == *shard.parent) return other.state == shard_state::finished;
    }
    // Not described (yet): after a whole pass, the parent is gone from the stream (trimmed).
    return described_;
}

void shard_tracker::add_shard(const shard& described)
{
    tracked_shard shard;
    shard.id = described.shard_id;
    shard.parent = described.parent_shard_id;
    if (const auto checkpoint = checkpoints_.find(shard.id); checkpoint != checkpoints_.end()) {
        shard.resumed = true;
        shard.start = shard_iterator_type::after_sequence_number;
        shard.start_sequence = checkpoint->second;
        shards_.push_back(std::move(shard));
        return;
    }
    if (described_) {
        // Created after the feed started: all of it is new.
        shards_.push_back(std::move(shard));
        return;
    }
    const std::optional<std::string> none;
    const auto& range = described.sequence_number_range;
    const std::optional<std::string>& starting = range ? range->starting_sequence_number : none;
    const std::optional<std::string>& ending = range ? range->ending_sequence_number : none;
    switch (options_.start) {
        case shard_iterator_type::trim_horizon:
            break;
        case shard_iterator_type::latest:
            // A closed shard has nothing after its end; its children carry on.
            if (ending) {
                shard.state = shard_state::finished;
                shard.passed_over = true;
            } else {
                shard.start = shard_iterator_type::latest;
            }
            break;
        case shard_iterator_type::at_sequence_number:
        case shard_iterator_type::after_sequence_number: {
            const std::string& position = options_.sequence_number;
            if (ending && sequence_less(*ending, position)) {
                shard.state = shard_state::finished;
                shard.passed_over = true;
            } else if (ending && !sequence_less(position, *ending) &&
                       options_.start == shard_iterator_type::after_sequence_number) {
                // The position is this shard's last record: nothing of it is left.
                shard.state = shard_state::finished;
                shard.passed_over = true;
            } else if (!starting || !sequence_less(position, *starting)) {
                shard.start = options_.start;
                shard.start_sequence = position;
            }
            break;
        }
    }
    shards_.push_back(std::move(shard));
}

void shard_tracker::propagate_resumption()
{
    // A shard may be described before its parent: repeat until nothing changes.
    for (bool changed = true; changed;) {
        changed = false;
        for (tracked_shard& shard : shards_) {
            if (shard.resumed || !shard.parent || !shard.last_sequence.empty()) continue;
            const tracked_shard* parent = find(*shard.parent);
            // A checkpointed parent trimmed from the stream since was read as much as one
            // described: its children hold only changes made after it.
            const bool parent_resumed =
                parent ? parent->resumed : checkpoints_.contains(*shard.parent);
            if (!parent_resumed) continue;
            shard.resumed = true;
            shard.passed_over = false;
            shard.state = shard_state::needs_iterator;
            shard.start = shard_iterator_type::trim_horizon;
            shard.start_sequence.clear();
            changed = true;
        }
    }
}

shard_tracker::action shard_tracker::read_action(tracked_shard& shard)
{
    action a;
    a.what = action::kind::get_records;
    a.shard_id = shard.id;
    a.records.shard_iterator = shard.iterator;
    a.records.limit = options_.batch_limit;
    shard.state = shard_state::in_flight;
    in_flight_ = true;
    return a;
}

shard_tracker::action shard_tracker::next(stream_clock::time_point now)
{
    // Start the next read first, so that it runs while the ready records are handed out.
    if (!in_flight_ && !shards_.empty()) {
        for (std::size_t i = 0; i < shards_.size(); ++i) {
            tracked_shard& shard = shards_[(next_shard_ + i) % shards_.size()];
            if (shard.state == shard_state::readable && shard.ready_at <= now &&
                may_read(shard) && parent_done(shard)) {
                next_shard_ = (next_shard_ + i + 1) % shards_.size();
                return read_action(shard);
            }
        }
    }
    action a;
    if (!ready_.empty()) {
        a.what = action::kind::deliver;
        return a;
    }
    if (!described_ || page_token_ || now >= next_describe_) {
        a.what = action::kind::describe;
        a.describe.stream_arn = stream_arn_;
        a.describe.exclusive_start_shard_id = page_token_;
        return a;
    }
    for (tracked_shard& shard : shards_) {
        if (shard.state != shard_state::needs_iterator || !may_read(shard) ||
            !parent_done(shard)) {
            continue;
        }
        a.what = action::kind::get_iterator;
        a.shard_id = shard.id;
        a.iterator.stream_arn = stream_arn_;
        a.iterator.shard_id = shard.id;
        if (!shard.last_sequence.empty()) {
            a.iterator.shard_iterator_type = shard_iterator_type::after_sequence_number;
            a.iterator.sequence_number = shard.last_sequence;
        } else {
            a.iterator.shard_iterator_type = shard.start;
            if (!shard.start_sequence.empty()) a.iterator.sequence_number = shard.start_sequence;
        }
        return a;
    }
    if (in_flight_) {
        a.what = action::kind::await_records;
        return a;
    }
    if (status_ == stream_status::disabled && finished_count() == shards_.size()) {
        a.what = action::kind::end;
        return a;
    }
    a.what = action::kind::wait;
    a.until = next_describe_;
    for (const tracked_shard& shard : shards_) {
        if (shard.state == shard_state::readable && may_read(shard) && parent_done(shard)) {
            a.until = std::min(a.until, shard.ready_at);
        }
    }
    return a;
}

void shard_tracker::on_described(const describe_stream_response& response,
                                 stream_clock::time_point now)
{
    const stream_description& description = response.stream_description;
    for (const shard& each : description.shards) {
        if (!find(each.shard_id)) add_shard(each);
    }
    if (!checkpoints_.empty()) propagate_resumption();
    status_ = description.stream_status;
    page_token_ = description.last_evaluated_shard_id;
    if (!page_token_) {
        described_ = true;
        next_describe_ = now + options_.describe_interval;
    }
}

void shard_tracker::on_iterator(std::string_view shard_id,
                                const std::optional<std::string>& iterator,
                                stream_clock::time_point now,
                                std::chrono::system_clock::time_point wall)
{
    tracked_shard* shard = find(shard_id);
    if (!shard) return;
    if (shard->start == shard_iterator_type::latest && shard->last_sequence.empty() &&
        !shard->latest_since && wall != std::chrono::system_clock::time_point{}) {
        shard->latest_since = std::chrono::duration<double>(wall.time_since_epoch()).count();
    }
    if (!iterator || iterator->empty()) {
        // No position to read from: the shard has nothing left.
        shard->state = shard_state::finished;
        return;
    }
    shard->iterator = *iterator;
    shard->state = shard_state::readable;
    shard->ready_at = now;
}

void shard_tracker::on_records(std::string_view shard_id, get_records_response&& response,
                               stream_clock::time_point now)
{
    in_flight_ = false;
    tracked_shard* shard = find(shard_id);
    if (!shard || !may_read(*shard)) return;
    const bool empty = response.records.empty();
    for (change_record& record : response.records) {
        shard->last_sequence = record.dynamodb.sequence_number;
        if (shard->made_since) {
            const auto& made = record.dynamodb.approximate_creation_date_time;
            if (made && *made < *shard->made_since) continue;
            shard->made_since.reset();
        }
        ready_.push_back({shard->id, std::move(record)});
    }
    if (!response.next_shard_iterator) {
        shard->state = shard_state::finished;
        shard->iterator.clear();
        return;
    }
    shard->iterator = std::move(*response.next_shard_iterator);
    shard->state = shard_state::readable;
    if (empty) {
        shard->idle_wait = shard->idle_wait.count() == 0
                               ? options_.min_idle_wait
                               : std::min(shard->idle_wait * 2, options_.max_idle_wait);
    } else {
        shard->idle_wait = std::chrono::milliseconds(0);
    }
    shard->ready_at = now + shard->idle_wait;
}

void shard_tracker::reread_since_latest(tracked_shard& shard)
{
    // LATEST now would pass over what was written since the shard was first read. Once read
    // from its oldest record already, it is again, with the filter again. latest_since is
    // kept only while no other position (a checkpoint, a parent's end) has replaced LATEST.
    if (!shard.latest_since) return;
    shard.start = shard_iterator_type::trim_horizon;
    shard.start_sequence.clear();
    shard.made_since = *shard.latest_since - clock_allowance_seconds;
}

void shard_tracker::on_expired(std::string_view shard_id)
{
    in_flight_ = false;
    if (tracked_shard* shard = find(shard_id); shard && may_read(*shard)) {
        shard->iterator.clear();
        shard->state = shard_state::needs_iterator;
        if (shard->last_sequence.empty()) reread_since_latest(*shard);
    }
}

void shard_tracker::on_trimmed(std::string_view shard_id)
{
    if (tracked_shard* shard = find(shard_id)) {
        shard->start = shard_iterator_type::trim_horizon;
        shard->start_sequence.clear();
        shard->last_sequence.clear();
        shard->latest_since.reset();
        shard->made_since.reset();
    }
}

void shard_tracker::on_records_failed(std::string_view shard_id)
{
    in_flight_ = false;
    if (tracked_shard* shard = find(shard_id); shard && may_read(*shard)) {
        shard->state = shard_state::readable;
    }
}

void shard_tracker::lease(std::string_view shard_id, const std::string& checkpoint,
                          bool after_parent, bool first_holder)
{
    tracked_shard* shard = find(shard_id);
    if (!shard) return;
    shard->leased = true;
    shard->iterator.clear();
    shard->last_sequence.clear();
    shard->made_since.reset();
    shard->idle_wait = std::chrono::milliseconds(0);
    if (checkpoint.empty() && !after_parent && shard->state == shard_state::finished) {
        // Skipped by the start position: nothing of it is read. A worker that held it before
        // may have read some of it, so it does not count as passed over then.
        if (!first_holder) shard->passed_over = false;
        return;
    }
    shard->passed_over = false;
    if (!checkpoint.empty()) {
        shard->start = shard_iterator_type::after_sequence_number;
        shard->start_sequence = checkpoint;
        shard->latest_since.reset();
    } else if (after_parent) {
        shard->start = shard_iterator_type::trim_horizon;
        shard->start_sequence.clear();
        shard->latest_since.reset();
    } else if (!first_holder) {
        // Taken back without a checkpoint: the records read since LATEST were not processed.
        reread_since_latest(*shard);
    }
    shard->state = shard_state::needs_iterator;
}

void shard_tracker::unlease(std::string_view shard_id)
{
    tracked_shard* shard = find(shard_id);
    if (!shard) return;
    shard->leased = false;
    shard->iterator.clear();
    if (shard->state != shard_state::finished) shard->state = shard_state::needs_iterator;
    std::erase_if(ready_, [shard_id](const tracked_record& r) { return r.shard_id == shard_id; });
}

void shard_tracker::mark_finished(std::string_view shard_id)
{
    tracked_shard* shard = find(shard_id);
    if (!shard || shard->leased) return;
    shard->state = shard_state::finished;
    shard->iterator.clear();
}

bool shard_tracker::drained(std::string_view shard_id) const
{
    for (const tracked_shard& shard : shards_) {
        if (shard.id != shard_id) continue;
        if (shard.state != shard_state::finished || (leased_only_ && !shard.leased)) return false;
        return std::none_of(ready_.begin(), ready_.end(),
                            [shard_id](const tracked_record& r) { return r.shard_id == shard_id; });
    }
    return false;
}

bool shard_tracker::passed_over(std::string_view shard_id) const
{
    for (const tracked_shard& shard : shards_) {
        if (shard.id == shard_id) {
            return shard.leased && shard.passed_over && shard.state == shard_state::finished;
        }
    }
    return false;
}

std::vector<lineage_shard> shard_tracker::lineage() const
{
    std::vector<lineage_shard> out;
    out.reserve(shards_.size());
    for (const tracked_shard& shard : shards_) out.push_back({shard.id, shard.parent});
    return out;
}

tracked_record shard_tracker::take()
{
    tracked_record record = std::move(ready_.front());
    ready_.pop_front();
    return record;
}

std::size_t shard_tracker::finished_count() const noexcept
{
    return static_cast<std::size_t>(
        std::count_if(shards_.begin(), shards_.end(), [](const tracked_shard& shard) {
            return shard.state == shard_state::finished;
        }));
}

checkpoint_book::checkpoint_book(std::size_t every, std::chrono::milliseconds interval,
                                 stream_clock::time_point now)
    : every_(every), interval_(interval), last_write_(now)
{
}

void checkpoint_book::delivered(const std::string& shard_id, const std::string& sequence_number)
{
    acknowledge();
    unacknowledged_ = shard_checkpoint{shard_id, sequence_number};
}

void checkpoint_book::acknowledge()
{
    if (!unacknowledged_) return;
    pending_[unacknowledged_->shard_id] = std::move(unacknowledged_->sequence_number);
    unacknowledged_.reset();
    ++processed_since_write_;
}

bool checkpoint_book::due(stream_clock::time_point now) const noexcept
{
    if (pending_.empty()) return false;
    if (every_ > 0 && processed_since_write_ >= every_) return true;
    return now >= due_at();
}

stream_clock::time_point checkpoint_book::due_at() const noexcept
{
    if (pending_.empty() || interval_.count() <= 0) return stream_clock::time_point::max();
    return last_write_ + interval_;
}

std::vector<shard_checkpoint> checkpoint_book::pending() const
{
    std::vector<shard_checkpoint> out;
    for (const auto& [shard, sequence] : pending_) out.push_back({shard, sequence});
    return out;
}

bool checkpoint_book::owes(std::string_view shard_id) const
{
    return pending_.find(shard_id) != pending_.end() ||
           (unacknowledged_ && unacknowledged_->shard_id == shard_id);
}

void checkpoint_book::forget(std::string_view shard_id)
{
    if (const auto it = pending_.find(shard_id); it != pending_.end()) pending_.erase(it);
    if (unacknowledged_ && unacknowledged_->shard_id == shard_id) unacknowledged_.reset();
}

void checkpoint_book::written(const std::vector<shard_checkpoint>& written,
                              stream_clock::time_point now)
{
    for (const shard_checkpoint& each : written) {
        const auto it = pending_.find(each.shard_id);
        // A later change of the shard processed meanwhile stays pending.
        if (it != pending_.end() && it->second == each.sequence_number) pending_.erase(it);
    }
    processed_since_write_ = 0;
    last_write_ = now;
}

}  // namespace dynomite::detail
