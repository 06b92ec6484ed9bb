// The blog's models: users write posts, readers comment on them.
#pragma once

#include <dynomite/model.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace blog {

// Table "users" (with a namespace: "blog_users"), keyed by id, with the global index
// email-index on email.
struct User : dynomite::model<User> {
    std::string id;
    std::string name;
    std::string email;
    // Maintained by Post's after_create callback.
    int post_count = 0;
    std::chrono::sys_seconds created_at{}, updated_at{};

    static void define(dynomite::model_definition<User>& s);
};

// Table "posts", keyed by id, with user_id-index: user_id, then published_at as its sort key,
// so a user's recent posts are one Query.
struct Post : dynomite::model<Post> {
    std::string id;
    std::string user_id;
    std::string title;
    // Made from the title before validation when empty.
    std::string slug;
    std::string body;
    std::chrono::sys_seconds published_at{};
    int lock_version = 0;
    std::chrono::sys_seconds created_at{}, updated_at{};

    static void define(dynomite::model_definition<Post>& s);
};

// Table "comments", keyed by id, with post_id-index: post_id, then created_at.
struct Comment : dynomite::model<Comment> {
    std::string id;
    std::string post_id;
    std::string author;
    std::string body;
    // Milliseconds, so that the index keeps comments of the same second in order.
    std::chrono::sys_time<std::chrono::milliseconds> created_at{}, updated_at{};

    static void define(dynomite::model_definition<Comment>& s);
};

/// "Hello, DynamoDB!" -> "hello-dynamodb": lower-case ASCII letters and digits, runs of
/// anything else as one '-', none at either end.
std::string slugify(std::string_view title);

}  // namespace blog
