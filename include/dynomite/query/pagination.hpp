// Paging through Query and Scan results, sans-io: which key to send next, how many items a
// limit still allows, where a reader who stops would resume; and the opaque cursor strings
// that carry such a position between processes.
#pragma once

#include <dynomite/core/attribute_value.hpp>
#include <dynomite/core/error.hpp>
#include <dynomite/protocol/query_scan.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynomite {

struct pagination_options {
    /// Items to yield at most; none means all of them.
    std::optional<std::int64_t> limit;
    /// The ExclusiveStartKey of the first request.
    std::optional<attribute_map> start_key;
    /// DynamoDB's Limit as planned for each request.
    std::optional<std::int32_t> page_limit;
    /// Whether a filter applies. DynamoDB's Limit counts the items it evaluates before the
    /// filter, so only without one may the last requests ask for just the items still wanted.
    bool filtered = false;
    /// The attributes of a LastEvaluatedKey (the table's key, plus the index's when reading an
    /// index): a page cut short by the limit resumes after its last item, whose key they form.
    std::vector<std::string> key_attributes;
};

/// The state of one sequence of pages. Feed it each response with on_page() (or on_count() for
/// Select=COUNT); it trims the page to the limit and says what to send next.
class pagination {
public:
    pagination() = default;
    explicit pagination(pagination_options options);

    /// No request is left to send: the last page had no LastEvaluatedKey, or the limit is
    /// reached.
    bool done() const noexcept { return done_; }
    /// DynamoDB said no item remains (no LastEvaluatedKey); done() for another reason otherwise.
    bool exhausted() const noexcept { return exhausted_; }

    /// The ExclusiveStartKey of the next request.
    const std::optional<attribute_map>& next_start_key() const noexcept { return next_key_; }
    /// DynamoDB's Limit for the next request: the planned page limit, lowered to the items the
    /// limit still allows when no filter applies.
    std::optional<std::int32_t> next_limit() const noexcept;
    /// Sets ExclusiveStartKey and Limit of the next request.
    void prepare(query_request& request) const;
    void prepare(scan_request& request) const;

    /// Items the limit still allows; none without a limit.
    std::optional<std::int64_t> remaining() const noexcept;
    /// Items (or, with on_count(), counted items) taken so far.
    std::int64_t yielded() const noexcept { return yielded_; }
    std::int64_t pages() const noexcept { return pages_; }

    /// Takes a response page: drops the items beyond the limit from `items` and moves on.
    /// Must not be called once done().
    void on_page(std::vector<attribute_map>& items,
                 std::optional<attribute_map> last_evaluated_key);
    /// Takes a Select=COUNT response page; returns the part of `count` within the limit.
    std::int64_t on_count(std::int64_t count, std::optional<attribute_map> last_evaluated_key);

    /// Where to resume after everything taken so far: the ExclusiveStartKey that continues
    /// with the first item not yielded. None when exhausted(), and before the first page when
    /// there was no start key (then resuming means starting over).
    const std::optional<attribute_map>& resume_key() const noexcept { return resume_key_; }
    /// False when a page was cut short and its last kept item lacks a key attribute (a
    /// projection left it out); resume_key() is then unknown, and `why` names the attribute.
    bool resumable(std::string* why = nullptr) const;

    const std::vector<std::string>& key_attributes() const noexcept
    {
        return options_.key_attributes;
    }

private:
    /// After a whole page: the next request starts after `last_evaluated_key`, if any.
    void continue_after(std::optional<attribute_map> last_evaluated_key);

    pagination_options options_;
    std::optional<attribute_map> next_key_;
    std::optional<attribute_map> resume_key_;
    std::string unresumable_;
    std::int64_t yielded_ = 0;
    std::int64_t pages_ = 0;
    bool done_ = false;
    bool exhausted_ = false;
};

/// The attributes `names` of `item`, as a key. Fails with errc::invalid_argument naming the
/// first missing attribute; `out` is unchanged then.
error_code key_of(const attribute_map& item, const std::vector<std::string>& names,
                  attribute_map& out, std::string* why = nullptr);

/// Longest cursor string decode_cursor() accepts: far above any key DynamoDB allows (a table
/// key plus an index key, each at most 2048 + 1024 bytes), far below anything harmful.
inline constexpr std::size_t max_cursor_length = 32 * 1024;

/// An opaque, URL-safe string for a position (a LastEvaluatedKey): base64url, without padding,
/// of the key's DynamoDB JSON. The empty key (the beginning) encodes too.
std::string encode_cursor(const attribute_map& key);
/// Reads back encode_cursor()'s string. Fails with errc::invalid_argument saying what is wrong:
/// empty, too long, a character outside the base64url alphabet, an impossible length, not
/// JSON, or JSON that is not a key's attribute values. `out` is unchanged on failure.
error_code decode_cursor(std::string_view text, attribute_map& out, std::string* why = nullptr);
/// As above; throws dynomite::error on failure.
attribute_map decode_cursor(std::string_view text);

}  // namespace dynomite
