#include "tour.hpp"

#include <dynomite/error.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace blog {

namespace {

void print_plan(const std::string& what, const dynomite::query_plan& plan)
{
    std::cout << "  " << what << "\n    plan: " << plan.to_string() << '\n';
}

}  // namespace

// GCC 12 reports a false -Wmismatched-new-delete on this coroutine's frame (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
boost::asio::awaitable<void> show_indexed_reads(const seeded_blog& blog)
{
    std::cout << "\nIndexed reads (explain() shows the planner's choice)\n";
    const User& ada = blog.users.front();

    auto by_email = User::where("email", ada.email);
    auto email_plan = co_await by_email.explain();
    print_plan("User by e-mail", email_plan);
    auto found = co_await by_email.first();
    std::cout << "    found: " << (found ? found->name : std::string("nobody")) << '\n';

    // user_id-index holds only posts that have published_at, its sort key. Every Post is saved
    // with one; without saying so, the planner could not use the index and would Scan.
    auto posts_of_ada = Post::where("user_id", ada.id).attribute_exists("published_at");
    auto posts_plan = co_await posts_of_ada.explain();
    print_plan("Ada's posts", posts_plan);
    auto posts = co_await posts_of_ada.all();
    for (const Post& post : posts) std::cout << "    - " << post.slug << '\n';

    // The index's sort key takes the range: no item older than a week is read.
    const auto week_ago = std::chrono::floor<std::chrono::seconds>(
        std::chrono::system_clock::now() - std::chrono::days(7));
    auto recent = Post::where("user_id", ada.id)
                      .where("published_at.gte", dynomite::to_attribute(week_ago))
                      .scan_index_backward()
                      .limit(2);
    auto recent_plan = co_await recent.explain();
    print_plan("Ada's two newest posts of the last week", recent_plan);
    auto newest = co_await recent.all();
    for (const Post& post : newest) std::cout << "    - " << post.title << '\n';

    auto comments =
        Comment::where("post_id", blog.posts.back().id).attribute_exists("created_at");
    auto comments_plan = co_await comments.explain();
    print_plan("Comments of Alan's newest post", comments_plan);
    auto few = co_await comments.all();
    for (const Comment& comment : few) std::cout << "    - " << comment.body << '\n';
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

boost::asio::awaitable<void> stream_comments(const seeded_blog& blog, dynomite::client client,
                                             std::int32_t page_size, run_summary& summary)
{
    std::cout << "\nStreaming " << blog.popular.title << "'s comments, " << page_size
              << " per page\n";
    auto relation = Comment::where("post_id", blog.popular.id)
                        .attribute_exists("created_at")
                        .page_size(page_size);
    const auto requests_before = client.stats().requests;
    auto cursor = relation.cursor();
    std::int64_t streamed = 0;
    std::string first_body, last_body;
    while (auto comment = co_await cursor.next()) {
        if (streamed == 0) first_body = comment->body;
        last_body = comment->body;
        ++streamed;
    }
    summary.comments_streamed = streamed;
    summary.stream_requests = client.stats().requests - requests_before;
    summary.page_size = page_size;
    std::cout << "  " << streamed << " comments in " << summary.stream_requests
              << " Query requests (the cursor reads one page ahead)\n"
              << "  first: " << first_body << "\n  last:  " << last_body << '\n';
}

boost::asio::awaitable<void> show_counts(const seeded_blog& blog, run_summary& summary)
{
    std::cout << "\nCounts\n";
    for (const User& user : blog.users) {
        // The copy in `blog` predates the counter's increments.
        User fresh = user;
        co_await fresh.reload();
        auto posts = Post::where("user_id", user.id).attribute_exists("published_at");
        const std::int64_t counted = co_await posts.count();
        std::cout << "  " << fresh.name << ": post_count " << fresh.post_count
                  << " (after_create callback), count() " << counted << '\n';
        summary.posts += counted;
    }
    summary.users = static_cast<std::int64_t>(blog.users.size());
    auto popular_comments =
        Comment::where("post_id", blog.popular.id).attribute_exists("created_at");
    summary.popular_comment_count = co_await popular_comments.count();
    std::cout << "  comments on \"" << blog.popular.title << "\": " << summary.popular_comment_count
              << '\n';
}

boost::asio::awaitable<void> show_refused_writes(const seeded_blog& blog, run_summary& summary)
{
    std::cout << "\nWrites that are refused\n";

    User copycat;
    copycat.name = "Ada's twin";
    copycat.email = blog.users.front().email;
    const bool saved = co_await copycat.save();
    const std::string duplicate_email =
        saved ? std::string("saved (unexpected)") : copycat.errors().to_string();
    std::cout << "  a second user with Ada's e-mail: " << duplicate_email << '\n';
    summary.refused_writes.push_back("duplicate e-mail: " + duplicate_email);

    // The same id: PutItem's attribute_not_exists(id) condition fails.
    User impostor;
    impostor.id = blog.users.front().id;
    impostor.name = "Impostor";
    impostor.email = "impostor+" + blog.run_id + "@example.com";
    std::string duplicate_id = "saved (unexpected)";
    try {
        co_await impostor.save_or_throw();
    } catch (const dynomite::error& e) {
        duplicate_id = e.what();
    }
    std::cout << "  a user with Ada's id: " << duplicate_id << '\n';
    summary.refused_writes.push_back("duplicate id: " + duplicate_id);

    // Two editors load the same post; the second save carries a stale lock_version.
    Post first_editor = co_await Post::find_or_throw(blog.popular.id);
    Post second_editor = co_await Post::find_or_throw(blog.popular.id);
    first_editor.title = blog.popular.title + " (edited)";
    co_await first_editor.save_or_throw();
    second_editor.body = "A concurrent edit.";
    std::string stale = "saved (unexpected)";
    try {
        co_await second_editor.save_or_throw();
    } catch (const dynomite::error& e) {
        stale = e.what();
    }
    std::cout << "  a stale edit of \"" << blog.popular.title << "\": " << stale << '\n';
    summary.refused_writes.push_back("stale edit: " + stale);
}

boost::asio::awaitable<void> show_post_changes(const seeded_blog& blog, run_summary& summary)
{
    using namespace boost::asio::experimental::awaitable_operators;
    std::cout << "\nThis run's posts, as the stream of " << Post::table_name() << " saw them\n";
    std::map<std::string, std::string> slugs;  // this run's posts: id -> slug
    for (const Post& post : blog.posts) slugs[post.id] = post.slug;

    // From the oldest change the stream holds: earlier runs' changes are passed over.
    auto feed = Post::changes({.start = dynomite::shard_iterator_type::trim_horizon});
    boost::asio::steady_timer limit(co_await boost::asio::this_coro::executor,
                                    std::chrono::seconds(30));
    for (;;) {
        auto next = co_await (feed.next() || limit.async_wait(boost::asio::use_awaitable));
        if (next.index() == 1 || !std::get<0>(next)) {
            throw std::runtime_error("the stream of " + Post::table_name() +
                                     " did not show the edit of \"" + blog.popular.title +
                                     "\" within 30 s");
        }
        auto& change = *std::get<0>(next);
        const std::string id = change.keys.at("id").as_s();
        const auto mine = slugs.find(id);
        if (mine == slugs.end()) continue;
        ++summary.post_changes_seen;
        std::cout << "  " << dynomite::to_string(change.event) << " " << mine->second;
        if (change.old_record && change.new_record) {
            // The fields the change touched, by name; updated_at, which every save moves, aside.
            const auto before = change.old_record->attributes();
            const auto after = change.new_record->attributes();
            std::string touched;
            for (const auto& [name, value] : after) {
                if (name == "updated_at") continue;
                const dynomite::attribute_value* old = before.find(name);
                if (old == nullptr || !(*old == value))
                    touched += (touched.empty() ? "" : ", ") + name;
            }
            std::cout << ": " << touched;
        }
        std::cout << '\n';
        if (id == blog.popular.id && change.new_record &&
            change.new_record->title == blog.popular.title + " (edited)") {
            break;
        }
    }
}

}  // namespace blog
