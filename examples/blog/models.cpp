#include "models.hpp"

#include <boost/asio/awaitable.hpp>

#include <regex>

namespace blog {

std::string slugify(std::string_view title)
{
    std::string slug;
    bool pending_dash = false;
    for (const char c : title) {
        const bool digit = c >= '0' && c <= '9';
        const bool lower = c >= 'a' && c <= 'z';
        const bool upper = c >= 'A' && c <= 'Z';
        if (!digit && !lower && !upper) {
            pending_dash = !slug.empty();
            continue;
        }
        if (pending_dash) slug += '-';
        pending_dash = false;
        slug += upper ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return slug;
}

void User::define(dynomite::model_definition<User>& s)
{
    s.field("name", &User::name).validates(dynomite::presence());
    // uniqueness() reads email-index: a Query, not a Scan.
    s.field("email", &User::email)
        .validates(dynomite::presence())
        .validates(dynomite::format(std::regex("^[^@ ]+@[^@ ]+\\.[a-z]+$")))
        .validates(dynomite::uniqueness());
    s.field("post_count", &User::post_count)
        .validates(dynomite::numericality().only_integer().greater_than_or_equal_to(0));
}

namespace {

boost::asio::awaitable<void> count_post_of_author(Post& post)
{
    auto author = co_await User::find(post.user_id);
    if (!author) co_return;
    // An ADD in a one-action transaction: concurrent posts are all counted, and its
    // ClientRequestToken makes a retry after a lost answer count the post once, where a plain
    // increment() would count it twice.
    dynomite::transaction count;
    count.increment(*author, "post_count");
    co_await count.commit();
}

}  // namespace

void Post::define(dynomite::model_definition<Post>& s)
{
    s.field("user_id", &Post::user_id).validates(dynomite::presence()).label("Author");
    s.field("title", &Post::title)
        .validates(dynomite::presence())
        .validates(dynomite::length().maximum(120));
    s.field("slug", &Post::slug)
        .validates(dynomite::format(std::regex("^[a-z0-9]+(-[a-z0-9]+)*$")));
    s.field("body", &Post::body);
    s.field("published_at", &Post::published_at);
    s.field("lock_version", &Post::lock_version);
    s.locking("lock_version");
    s.before_validation([](Post& post) {
        if (post.slug.empty()) post.slug = slugify(post.title);
    });
    s.after_create(&count_post_of_author);
}

void Comment::define(dynomite::model_definition<Comment>& s)
{
    s.field("post_id", &Comment::post_id).validates(dynomite::presence()).label("Post");
    s.field("author", &Comment::author).validates(dynomite::presence());
    s.field("body", &Comment::body)
        .validates(dynomite::presence())
        .validates(dynomite::length().maximum(500));
}

}  // namespace blog
