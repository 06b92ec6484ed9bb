// What generated_operations_test.cpp and newer_operations_test.cpp share: JSON files read
// whole, and a request's encoded body.
#pragma once

#include <dynomite/protocol/detail/protocol.hpp>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>
#include <iterator>
#include <string>

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

}  // namespace dynomite::test
