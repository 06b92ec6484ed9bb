// The data one run of the blog writes; every value carries the run's id, so that runs against
// the same tables never see each other's rows.
#pragma once

#include "models.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace blog {

struct seeded_blog {
    std::string run_id;
    std::vector<User> users;
    /// Each user's posts, oldest first.
    std::vector<Post> posts;
    /// The post that gets the many comments.
    Post popular;
    std::size_t comments = 0;
};

/// A run id: the time and random letters, e.g. "20261125-0307-k3x9".
std::string make_run_id();

/// Creates two users, three posts each (published one, three and ten days ago), and
/// `popular_comments` comments on the newest post of the first user plus two on every other.
boost::asio::awaitable<seeded_blog> seed_blog(std::string run_id, std::size_t popular_comments);

}  // namespace blog
