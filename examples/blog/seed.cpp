#include "seed.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <utility>

namespace blog {

std::string make_run_id()
{
    const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
    const std::chrono::year_month_day day(std::chrono::floor<std::chrono::days>(now));
    const std::chrono::hh_mm_ss time(now - std::chrono::floor<std::chrono::days>(now));
    std::array<char, 32> stamp{};
    std::snprintf(stamp.data(), stamp.size(), "%04d%02u%02u-%02d%02d", int(day.year()),
                  unsigned(day.month()), unsigned(day.day()), int(time.hours().count()),
                  int(time.minutes().count()));
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::random_device entropy;
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string id(stamp.data());
    id += '-';
    for (int i = 0; i < 4; ++i) id += alphabet[pick(entropy)];
    return id;
}

namespace {

struct author_plan {
    std::string_view name;
    std::string_view handle;
    std::array<std::string_view, 3> titles;
};

constexpr std::array<author_plan, 2> authors{{
    {"Ada Lovelace",
     "ada",
     {"Notes on the Analytical Engine", "Loops before loops existed", "Hello, DynamoDB!"}},
    {"Alan Turing",
     "alan",
     {"On computable numbers", "Can machines think?", "Morphogenesis, briefly"}},
}};

constexpr std::array<int, 3> days_ago{10, 3, 1};

boost::asio::awaitable<void> comment_on(const Post& post, std::string author, std::string body,
                                        seeded_blog& out)
{
    Comment comment;
    comment.post_id = post.id;
    comment.author = std::move(author);
    comment.body = std::move(body);
    co_await comment.save_or_throw();
    ++out.comments;
}

}  // namespace

boost::asio::awaitable<seeded_blog> seed_blog(std::string run_id, std::size_t popular_comments)
{
    seeded_blog out;
    out.run_id = std::move(run_id);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

    for (const auto& plan : authors) {
        User user;
        user.name = std::string(plan.name);
        user.email = std::string(plan.handle) + "+" + out.run_id + "@example.com";
        co_await user.save_or_throw();
        out.users.push_back(user);

        for (std::size_t i = 0; i < plan.titles.size(); ++i) {
            Post post;
            post.user_id = user.id;
            post.title = std::string(plan.titles[i]);
            post.body = "Run " + out.run_id + ".";
            post.published_at = now - std::chrono::days(days_ago[i]);
            co_await post.save_or_throw();
            out.posts.push_back(post);
        }
    }
    // Ada's newest post.
    out.popular = out.posts[authors[0].titles.size() - 1];

    for (const Post& post : out.posts) {
        const bool popular = post.id == out.popular.id;
        const std::size_t n = popular ? popular_comments : 2;
        for (std::size_t i = 0; i < n; ++i) {
            std::string author = "reader-" + std::to_string(i % 17);
            std::string body = "Comment " + std::to_string(i + 1) + " on \"" + post.title + "\"";
            co_await comment_on(post, std::move(author), std::move(body), out);
        }
    }
    co_return out;
}

}  // namespace blog
