// The operations generated from botocore's DynamoDB service model and the operations newer than
// it (scripts/service-model-additions.json), checked against that merged model:
// every member of every request filled in and encoded must be a member the model names, of
// the model's JSON type and enumeration values, with the required ones present; a response
// written from the model's output shape (every member present) must decode into the typed
// response with each value where the model put it. Also: the client lists every operation of
// the model, and a few exact bodies and refusals.
#include <dynomite/protocol/detail/protocol.hpp>
#include <dynomite/protocol/operations.hpp>
#include "protocol/response_description.hpp"
#include "unit/generated_operations_support.hpp"

#include <gtest/gtest.h>
#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace generated_operations_test {

using namespace dynomite;
namespace json = boost::json;

constexpr const char* model_folder = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/";

using test::encoded;
using test::refused_with;
using test::load_json_object;

json::object load_model_file(const std::string& name)
{
    return load_json_object(std::string(model_folder) + name);  // python3-botocore (scripts/setup)
}

const json::object& additions()
{
    static const json::object model =
        load_json_object(std::string(DYNOMITE_SOURCE_DIR) +
                         "/scripts/service-model-additions.json");
    return model;
}

/// botocore's model with the operations and shapes of the additions, which it must not have.
json::object merged_model()
{
    json::object model = load_model_file("service-2.json");
    if (model.empty() || additions().empty()) return {};
    for (const std::string_view section : {"operations", "shapes"}) {
        json::object& into = model.at(section).as_object();
        for (const auto& [name, value] : additions().at(section).as_object()) {
            EXPECT_FALSE(into.contains(name)) << "botocore's model already has " << name;
            into[name] = value;
        }
    }
    return model;
}

const json::object& service_model()
{
    static const json::object model = merged_model();
    return model;
}

/// Members of hand-written types that DynamoDB added after the model Debian ships
/// (python3-botocore 1.29): the only members the model may lack.
bool newer_than_model(std::string_view member)
{
    return member == "OnDemandThroughput" || member == "DeletionProtectionEnabled";
}

const json::object& shape_of(std::string_view name)
{
    return service_model().at("shapes").as_object().at(name).as_object();
}

// Representative values: every member set, every list and map with one entry.

void fill(std::string& out) { out = "sample"; }
void fill(bool& out) { out = true; }
void fill(std::int64_t& out) { out = 5; }
void fill(double& out) { out = 1700000000.5; }
void fill(attribute_value& out) { out = attribute_value("sample"); }
void fill(attribute_map& out) { out = attribute_map{{"pk", attribute_value("sample")}}; }
template <class E>
requires std::is_enum_v<E> void fill(E& out);
template <class T>
void fill(std::optional<T>& out);
template <class T>
void fill(std::vector<T>& out);
template <class T>
void fill(std::vector<std::pair<std::string, T>>& out);
template <class T>
requires boost::describe::has_describe_members<T>::value void fill(T& out);

template <class E>
requires std::is_enum_v<E> void fill(E& out)
{
    out = static_cast<E>(0);
}

template <class T>
void fill(std::optional<T>& out)
{
    fill(out.emplace());
}

template <class T>
void fill(std::vector<T>& out)
{
    out.clear();
    fill(out.emplace_back());
}

template <class T>
void fill(std::vector<std::pair<std::string, T>>& out)
{
    out.clear();
    fill(out.emplace_back("name", T{}).second);
}

template <class T>
requires boost::describe::has_describe_members<T>::value void fill(T& out)
{
    using members = boost::describe::describe_members<
        T, boost::describe::mod_public | boost::describe::mod_inherited>;
    boost::mp11::mp_for_each<members>([&](auto d) { fill(out.*d.pointer); });
}

// A JSON value against a shape of the model.

void check_shape(const json::value& v, std::string_view shape_name, const std::string& path,
                 std::vector<std::string>& problems)
{
    const json::object& shape = shape_of(shape_name);
    const std::string_view type = shape.at("type").as_string();
    const auto problem = [&](const std::string& what) { problems.push_back(path + ": " + what); };
    if (type == "structure") {
        if (!v.is_object()) return problem("not an object");
        const json::object& members = shape.at("members").as_object();
        for (const auto& [key, value] : v.as_object()) {
            if (!members.contains(key)) {
                if (newer_than_model(key)) continue;
                problem("member " + std::string(key) + " is not in " + std::string(shape_name));
                continue;
            }
            check_shape(value, members.at(key).at("shape").as_string(), path + "." + std::string(key),
                        problems);
        }
        if (const json::value* required = shape.if_contains("required")) {
            for (const json::value& name : required->as_array()) {
                if (!v.as_object().contains(name.as_string()))
                    problem("required member " + std::string(name.as_string()) + " is missing");
            }
        }
    } else if (type == "list") {
        if (!v.is_array()) return problem("not an array");
        for (std::size_t i = 0; i < v.as_array().size(); ++i) {
            check_shape(v.as_array()[i], shape.at("member").at("shape").as_string(),
                        path + "[" + std::to_string(i) + "]", problems);
        }
    } else if (type == "map") {
        if (!v.is_object()) return problem("not an object");
        for (const auto& [key, value] : v.as_object())
            check_shape(value, shape.at("value").at("shape").as_string(), path + "." + std::string(key),
                        problems);
    } else if (type == "string" || type == "blob") {
        if (!v.is_string()) return problem("not a string");
        if (const json::value* values = shape.if_contains("enum")) {
            bool known = false;
            for (const json::value& each : values->as_array()) known |= each == v;
            if (!known) problem(json::serialize(v) + " is not a value of " + std::string(shape_name));
        }
    } else if (type == "boolean") {
        if (!v.is_bool()) problem("not a boolean");
    } else if (type == "integer" || type == "long") {
        if (!v.is_int64() && !v.is_uint64()) problem("not an integer");
    } else if (type == "double" || type == "timestamp") {
        if (!v.is_number()) problem("not a number");
    } else {
        problem("shape type " + std::string(type) + " unknown to the test");
    }
}

/// A response body as the service would send it: every member of the shape present.
json::value sample(std::string_view shape_name, std::string_view member)
{
    if (shape_name == "AttributeValue") return json::object{{"S", "sample"}};
    const json::object& shape = shape_of(shape_name);
    const std::string_view type = shape.at("type").as_string();
    if (type == "structure") {
        json::object out;
        for (const auto& [key, ref] : shape.at("members").as_object())
            out[key] = sample(ref.at("shape").as_string(), key);
        return out;
    }
    if (type == "list") return json::array{sample(shape.at("member").at("shape").as_string(), member)};
    if (type == "map") return json::object{{"name", sample(shape.at("value").at("shape").as_string(), member)}};
    if (type == "string") {
        if (const json::value* values = shape.if_contains("enum")) return values->as_array().front();
        return json::string("text of " + std::string(member));
    }
    if (type == "boolean") return true;
    if (type == "integer" || type == "long") return 7;
    if (type == "double") return 2.5;
    if (type == "timestamp") return 1700000000.25;
    return json::string("c2FtcGxl");  // blob
}

// A decoded value against the JSON it was decoded from.

using problem_list = std::vector<std::string>;

void compare(const json::value& v, const std::string& out, const std::string& path, problem_list& p)
{
    if (!v.is_string() || v.as_string() != out) p.push_back(path + ": got \"" + out + "\"");
}
void compare(const json::value& v, bool out, const std::string& path, problem_list& p)
{
    if (!v.is_bool() || v.as_bool() != out) p.push_back(path + ": got " + std::to_string(out));
}
void compare(const json::value& v, std::int64_t out, const std::string& path, problem_list& p)
{
    if (!v.is_int64() || v.as_int64() != out) p.push_back(path + ": got " + std::to_string(out));
}
void compare(const json::value& v, double out, const std::string& path, problem_list& p)
{
    if (!v.is_number() || v.to_number<double>() != out)
        p.push_back(path + ": got " + std::to_string(out));
}
void compare(const json::value&, const attribute_map& out, const std::string& path, problem_list& p)
{
    if (!(out == attribute_map{{"name", attribute_value("sample")}}))
        p.push_back(path + ": not the map {name: sample}");
}
void compare(const json::value&, const attribute_value& out, const std::string& path,
             problem_list& p)
{
    if (!(out == attribute_value("sample"))) p.push_back(path + ": not the string sample");
}
template <class E>
requires std::is_enum_v<E> void compare(const json::value& v, E out, const std::string& path,
                                        problem_list& p);
template <class T>
void compare(const json::value& v, const std::optional<T>& out, const std::string& path,
             problem_list& p);
template <class T>
void compare(const json::value& v, const std::vector<T>& out, const std::string& path,
             problem_list& p);
template <class T>
void compare(const json::value& v, const std::vector<std::pair<std::string, T>>& out,
             const std::string& path, problem_list& p);
template <class T>
requires boost::describe::has_describe_members<T>::value void compare(const json::value& v,
                                                                        const T& out,
                                                                        const std::string& path,
                                                                        problem_list& p);

template <class E>
requires std::is_enum_v<E> void compare(const json::value& v, E out, const std::string& path,
                                        problem_list& p)
{
    if (!v.is_string() || v.as_string() != to_string(out))
        p.push_back(path + ": got \"" + std::string(to_string(out)) + "\"");
}

template <class T>
void compare(const json::value& v, const std::optional<T>& out, const std::string& path,
             problem_list& p)
{
    if (!out) return p.push_back(path + ": not decoded");
    compare(v, *out, path, p);
}

template <class T>
void compare(const json::value& v, const std::vector<T>& out, const std::string& path,
             problem_list& p)
{
    if (!v.is_array() || v.as_array().size() != out.size())
        return p.push_back(path + ": " + std::to_string(out.size()) + " elements");
    for (std::size_t i = 0; i < out.size(); ++i)
        compare(v.as_array()[i], out[i], path + "[" + std::to_string(i) + "]", p);
}

template <class T>
void compare(const json::value& v, const std::vector<std::pair<std::string, T>>& out,
             const std::string& path, problem_list& p)
{
    if (!v.is_object() || v.as_object().size() != out.size())
        return p.push_back(path + ": " + std::to_string(out.size()) + " entries");
    for (const auto& [key, value] : out) {
        const json::value* expected = v.as_object().if_contains(key);
        if (!expected) return p.push_back(path + ": unexpected key " + key);
        compare(*expected, value, path + "." + std::string(key), p);
    }
}

template <class T>
requires boost::describe::has_describe_members<T>::value void compare(const json::value& v,
                                                                        const T& out,
                                                                        const std::string& path,
                                                                        problem_list& p)
{
    if (!v.is_object()) return p.push_back(path + ": not an object");
    using members = boost::describe::describe_members<
        T, boost::describe::mod_public | boost::describe::mod_inherited>;
    boost::mp11::mp_for_each<members>([&](auto d) {
        using D = decltype(d);
        const std::string_view name = detail::wire_name<D>::value;
        const json::value* member = v.as_object().if_contains(name);
        if (!member) {
            if (newer_than_model(name)) return;
            p.push_back(path + ": " + std::string(name) + " is not a member of the model's shape");
            return;
        }
        compare(*member, out.*D::pointer, path + "." + std::string(name), p);
    });
}

std::string joined(const std::vector<std::string>& lines)
{
    std::string out;
    for (const std::string& line : lines) out += line + "\n";
    return out;
}

template <class Request>
void check_request(std::string_view aws_name)
{
    Request request;
    fill(request);
    std::string body;
    std::string why;
    ASSERT_FALSE(detail::encode_request(request, body, &why)) << aws_name << ": " << why;
    const json::value encoded = json::parse(body);
    const json::object& operation =
        service_model().at("operations").at(aws_name).as_object();
    const json::value* input = operation.if_contains("input");
    if (!input) {
        EXPECT_EQ(body, "{}") << aws_name;
        return;
    }
    const std::string_view shape_name = input->at("shape").as_string();
    std::vector<std::string> problems;
    check_shape(encoded, shape_name, std::string(aws_name), problems);
    EXPECT_TRUE(problems.empty()) << joined(problems) << body;
    // Filled in completely, the request writes every member the model has.
    for (const auto& [member, ref] : shape_of(shape_name).at("members").as_object())
        EXPECT_TRUE(encoded.as_object().contains(member)) << aws_name << " leaves out " << member;
}

template <class Response>
void check_response(std::string_view aws_name)
{
    const json::object& operation =
        service_model().at("operations").at(aws_name).as_object();
    const json::value* output = operation.if_contains("output");
    const json::value body =
        output ? sample(output->at("shape").as_string(), "") : json::value(json::object());
    Response response;
    std::string why;
    ASSERT_FALSE(detail::decode_response(body, response, &why)) << aws_name << ": " << why;
    problem_list problems;
    compare(body, response, std::string(aws_name), problems);
    EXPECT_TRUE(problems.empty()) << joined(problems) << json::serialize(body);
}

TEST(generated_operations, requests_filled_in_encode_as_the_model_describes)
{
    ASSERT_FALSE(service_model().empty());
#define DYNOMITE_CHECK_REQUEST(name, aws_name) check_request<name##_request>(#aws_name);
    DYNOMITE_GENERATED_OPERATIONS(DYNOMITE_CHECK_REQUEST)
#undef DYNOMITE_CHECK_REQUEST
}

TEST(generated_operations, responses_with_every_member_decode_where_the_model_puts_them)
{
    ASSERT_FALSE(service_model().empty());
#define DYNOMITE_CHECK_RESPONSE(name, aws_name) check_response<name##_response>(#aws_name);
    DYNOMITE_GENERATED_OPERATIONS(DYNOMITE_CHECK_RESPONSE)
#undef DYNOMITE_CHECK_RESPONSE
}

TEST(generated_operations, the_client_lists_every_operation_of_the_model)
{
    std::set<std::string> listed;
#define DYNOMITE_LISTED(name, aws_name) listed.insert(#aws_name);
    DYNOMITE_DYNAMODB_OPERATIONS(DYNOMITE_LISTED)
#undef DYNOMITE_LISTED
    std::set<std::string> in_model;
    for (const auto& entry : service_model().at("operations").as_object())
        in_model.insert(std::string(entry.key()));
    ASSERT_FALSE(in_model.empty());
    EXPECT_EQ(listed, in_model);
}

TEST(generated_operations, describe_limits_decodes_the_model_example)
{
    const json::object examples = load_model_file("examples-1.json");
    ASSERT_FALSE(examples.empty());
    const json::value& output = examples.at("examples").at("DescribeLimits").at(0).at("output");
    describe_limits_response response;
    std::string why;
    ASSERT_FALSE(detail::decode_response(output, response, &why)) << why;
    EXPECT_EQ(response.account_max_read_capacity_units,
              output.at("AccountMaxReadCapacityUnits").to_number<std::int64_t>());
    EXPECT_EQ(response.account_max_write_capacity_units,
              output.at("AccountMaxWriteCapacityUnits").to_number<std::int64_t>());
    EXPECT_EQ(response.table_max_read_capacity_units,
              output.at("TableMaxReadCapacityUnits").to_number<std::int64_t>());
    EXPECT_EQ(response.table_max_write_capacity_units,
              output.at("TableMaxWriteCapacityUnits").to_number<std::int64_t>());
}

TEST(generated_operations, exact_bodies)
{
    tag_resource_request tag_request;
    tag_request.resource_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t";
    tag_request.tags = {{"team", "data"}};
    EXPECT_EQ(encoded(tag_request),
              R"({"ResourceArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/t",)"
              R"("Tags":[{"Key":"team","Value":"data"}]})");

    update_continuous_backups_request pitr;
    pitr.table_name = "t";
    pitr.point_in_time_recovery_specification.point_in_time_recovery_enabled = true;
    EXPECT_EQ(encoded(pitr),
              R"({"TableName":"t","PointInTimeRecoverySpecification":)"
              R"({"PointInTimeRecoveryEnabled":true}})");

    list_backups_request backups;
    backups.table_name = "t";
    backups.time_range_lower_bound = 1700000000.25;
    backups.backup_type = backup_type_filter::aws_backup;
    EXPECT_EQ(encoded(backups),
              R"({"TableName":"t","TimeRangeLowerBound":1700000000.25,"BackupType":"AWS_BACKUP"})");

    export_table_to_point_in_time_request exported;
    exported.table_arn = "arn";
    exported.s3_bucket = "bucket";
    exported.s3_sse_algorithm = s3_sse_algorithm::kms;
    EXPECT_EQ(encoded(exported),
              R"({"TableArn":"arn","S3Bucket":"bucket","S3SseAlgorithm":"KMS"})");
}

TEST(generated_operations, invalid_requests_are_refused_naming_the_member)
{
    untag_resource_request untag;
    untag.resource_arn = "arn";
    EXPECT_TRUE(refused_with(untag, "TagKeys is required"));

    list_backups_request backups;
    backups.time_range_upper_bound = std::numeric_limits<double>::quiet_NaN();
    EXPECT_TRUE(refused_with(backups, "TimeRangeUpperBound must be a finite number"));

    update_contributor_insights_request insights;
    insights.table_name = "t";
    insights.contributor_insights_action = contributor_insights_action::unknown;
    EXPECT_TRUE(refused_with(insights, "ContributorInsightsAction has no valid value"));

    describe_backup_request no_arn;
    EXPECT_TRUE(refused_with(no_arn, "BackupArn is required"));
}

TEST(generated_operations, wire_responses_decode)
{
    describe_continuous_backups_response pitr;
    std::string why;
    ASSERT_FALSE(detail::parse_response(
        R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
        R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"ENABLED",)"
        R"("EarliestRestorableDateTime":1.7E9,"LatestRestorableDateTime":1700000300.5}}})",
        pitr, &why))
        << why;
    const auto& description = pitr.continuous_backups_description;
    ASSERT_TRUE(description.has_value());
    EXPECT_EQ(description->continuous_backups_status, continuous_backups_status::enabled);
    ASSERT_TRUE(description->point_in_time_recovery_description.has_value());
    const auto& recovery = *description->point_in_time_recovery_description;
    EXPECT_EQ(recovery.point_in_time_recovery_status, point_in_time_recovery_status::enabled);
    EXPECT_EQ(recovery.earliest_restorable_date_time, 1.7e9);
    EXPECT_EQ(recovery.latest_restorable_date_time, 1700000300.5);

    list_tags_of_resource_response tags;
    ASSERT_FALSE(detail::parse_response(
        R"({"Tags":[{"Key":"team","Value":"data"},{"Key":"env","Value":""}],"NextToken":"n1"})",
        tags, &why))
        << why;
    ASSERT_EQ(tags.tags.size(), 2u);
    EXPECT_EQ(tags.tags[0].key, "team");
    EXPECT_EQ(tags.tags[0].value, "data");
    EXPECT_EQ(tags.tags[1].key, "env");
    EXPECT_EQ(tags.next_token, "n1");

    // A status this version does not know yet decodes as `unknown`.
    describe_contributor_insights_response insights;
    ASSERT_FALSE(detail::parse_response(
        R"({"TableName":"t","ContributorInsightsStatus":"PAUSED"})", insights, &why))
        << why;
    EXPECT_EQ(insights.contributor_insights_status, contributor_insights_status::unknown);
}

TEST(generated_operations, a_response_without_a_required_member_is_malformed)
{
    create_backup_response backup;
    std::string why;
    EXPECT_EQ(detail::parse_response(
                  R"({"BackupDetails":{"BackupName":"b","BackupStatus":"AVAILABLE",)"
                  R"("BackupType":"USER","BackupCreationDateTime":1.7E9}})",
                  backup, &why),
              errc::malformed_response);
    EXPECT_NE(why.find("BackupArn is missing"), std::string::npos) << why;
}

}  // namespace generated_operations_test
