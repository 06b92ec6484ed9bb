// The members that member_rule_of marks as tokens, found through the description of each
// request type.
#include "protocol/idempotency_token.hpp"
#include "core/random.hpp"
#include "protocol/request_description.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

namespace dynomite::detail {
namespace {

template <class Request>
bool fill_token_members(Request& request)
{
    bool filled = false;
    using members = boost::describe::describe_members<Request, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto descriptor) {
        using D = decltype(descriptor);
        constexpr member_rule rule = member_rule_of<D::pointer>;
        if constexpr (rule == member_rule::idempotency_token || rule == member_rule::client_token) {
            auto& token = request.*D::pointer;
            if (!token) {
                token = random_uuid();
                filled = true;
            }
        }
    });
    return filled;
}

}  // namespace

#define DYNOMITE_DEFINE_TOKEN_FILL(name, aws_name)       \
    bool fill_idempotency_token(name##_request& request) \
    {                                                    \
        return fill_token_members(request);              \
    }
DYNOMITE_OPERATIONS(DYNOMITE_DEFINE_TOKEN_FILL)
#undef DYNOMITE_DEFINE_TOKEN_FILL

}  // namespace dynomite::detail
