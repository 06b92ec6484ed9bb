// What generated_operations_test.cpp and newer_operations_test.cpp share: JSON files read
// whole, a request's encoded body, and its refusal.
#pragma once

#include <dynomite/protocol/detail/protocol.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace dynomite::test {

/// The JSON object in a file; an empty object, and a test failure, when it cannot be read.
inline boost::json::object load_json_object(const std::string& path)
{
    std::ifstream in(path);
    if (!in) {
        ADD_FAILURE() << "no " << path;
        return {};
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return boost::json::parse(text).as_object();
}

/// The request's body, or "error" with the reason in *why.
std::string encoded(const auto& request, std::string* why = nullptr)
{
    std::string body;
    std::string reason;
    const error_code ec = detail::encode_request(request, body, &reason);
    if (why) *why = reason;
    return ec ? "error" : body;
}

/// Success when the request is refused with a reason that contains `expected`.
::testing::AssertionResult refused_with(const auto& request, std::string_view expected)
{
    std::string why;
    const std::string body = encoded(request, &why);
    if (body != "error") return ::testing::AssertionFailure() << "it was encoded: " << body;
    if (why.find(expected) == std::string::npos) {
        return ::testing::AssertionFailure() << "it was refused for: " << why;
    }
    return ::testing::AssertionSuccess();
}

}  // namespace dynomite::test
