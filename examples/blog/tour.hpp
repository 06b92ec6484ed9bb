// What the blog does with its data once written: indexed reads with their plans, a stream
// over many pages, counts, writes that DynamoDB's conditions refuse, and the posts' changes
// read back from the table's stream.
#pragma once

#include "seed.hpp"

#include <dynomite/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace blog {

/// What the run did, for the summary at the end.
struct run_summary {
    std::int64_t users = 0;
    std::int64_t posts = 0;
    std::int64_t comments_written = 0;
    std::int64_t comments_streamed = 0;
    std::uint64_t stream_requests = 0;
    std::int32_t page_size = 0;
    std::int64_t popular_comment_count = 0;
    std::vector<std::string> refused_writes;
    std::int64_t post_changes_seen = 0;
    std::uint64_t requests = 0;
    std::uint64_t retries = 0;
};

/// Prints the plan of each indexed read (explain()) and what it returns.
boost::asio::awaitable<void> show_indexed_reads(const seeded_blog& blog);

/// Streams the popular post's comments with a cursor, `page_size` items per request.
boost::asio::awaitable<void> stream_comments(const seeded_blog& blog, dynomite::client client,
                                             std::int32_t page_size, run_summary& summary);

/// Counts with Select=COUNT, and the counter the callbacks kept.
boost::asio::awaitable<void> show_counts(const seeded_blog& blog, run_summary& summary);

/// A duplicate e-mail (validation), a duplicate id (PutItem's condition) and a stale update
/// (optimistic locking), each refused.
boost::asio::awaitable<void> show_refused_writes(const seeded_blog& blog, run_summary& summary);

/// Reads the posts table's stream (DynamoDB Streams) and prints the changes of this run's
/// posts as records, up to the last one, the popular post's edit.
boost::asio::awaitable<void> show_post_changes(const seeded_blog& blog, run_summary& summary);

}  // namespace blog
