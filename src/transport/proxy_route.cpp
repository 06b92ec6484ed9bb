#include "transport/proxy_route.hpp"

#include <dynomite/core/attribute_value.hpp>
#include "core/shared_config.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace dynomite::detail {
namespace {

std::string lowercase(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

/// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; `port` stays empty
/// when there is none.
void split_host_port(std::string_view entry, std::string_view& host, std::string_view& port)
{
    port = {};
    if (entry.starts_with('[')) {
        const auto close = entry.find(']');
        if (close == std::string_view::npos) {
            host = entry;
            return;
        }
        host = entry.substr(1, close - 1);
        if (entry.size() > close + 1 && entry[close + 1] == ':') port = entry.substr(close + 2);
        return;
    }
    const auto colon = entry.find(':');
    if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
        host = entry.substr(0, colon);
        port = entry.substr(colon + 1);
        return;
    }
    host = entry;  // a name, an IPv4 address, or an IPv6 address without brackets
}

bool same_address(std::string_view a, std::string_view b)
{
    error_code ec_a, ec_b;
    const auto first = boost::asio::ip::make_address(std::string(a), ec_a);
    const auto second = boost::asio::ip::make_address(std::string(b), ec_b);
    return !ec_a && !ec_b && first == second;
}

bool entry_matches(std::string_view entry, std::string_view host, std::uint16_t port)
{
    std::string_view entry_host, entry_port;
    split_host_port(entry, entry_host, entry_port);
    if (!entry_port.empty()) {
        unsigned value = 0;
        const auto [end, ec] =
            std::from_chars(entry_port.data(), entry_port.data() + entry_port.size(), value);
        if (ec != std::errc{} || end != entry_port.data() + entry_port.size() || value != port)
            return false;
    }
    // As botocore (urllib's proxy_bypass_environment) reads it: a leading dot is dropped, and a
    // name matches itself and every name under it.
    while (entry_host.starts_with('.')) entry_host.remove_prefix(1);
    if (entry_host.empty()) return false;
    if (same_address(entry_host, host)) return true;
    const std::string wanted = lowercase(entry_host);
    const std::string name = lowercase(host);
    if (name == wanted) return true;
    return name.size() > wanted.size() && name.ends_with(wanted) &&
           name[name.size() - wanted.size() - 1] == '.';
}

/// The first of `names` set (and not empty) in the environment, with its name.
std::optional<std::pair<std::string, std::string>> first_set(const environment& env,
                                                             std::initializer_list<const char*> names)
{
    for (const char* name : names) {
        if (auto value = lookup(env, name)) return std::pair{std::string(name), std::move(*value)};
    }
    return std::nullopt;
}

}  // namespace

error_code parse_proxy_url(std::string_view url, std::string_view origin, proxy_route& out,
                           std::string& why)
{
    const auto invalid = [&](std::string message) {
        why = "the proxy in " + std::string(origin) + " " + std::move(message);
        return make_error_code(errc::invalid_configuration);
    };
    std::string text(trim(url));
    // Like curl and botocore, a URL without a scheme is an http:// one.
    if (text.find("://") == std::string::npos) text = "http://" + text;
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return invalid("is not a URL such as http://host:port");
    const boost::urls::url_view view = *parsed;
    if (lowercase(view.scheme()) != "http")
        return invalid("has the scheme \"" + std::string(view.scheme()) +
                       "\"; only http:// proxies are supported");
    if (!view.encoded_path().empty() && view.encoded_path() != "/")
        return invalid("must not have a path");
    if (view.has_query() || view.has_fragment()) return invalid("must not have a query or fragment");
    endpoint where;
    std::string endpoint_why;
    const std::string authority = "http://" + std::string(view.encoded_host_and_port());
    if (parse_endpoint(authority, where, &endpoint_why))
        return invalid("is not valid: " + endpoint_why);

    proxy_route route;
    route.host = where.host;
    route.port = where.port;
    const bool v6 = where.host.find(':') != std::string::npos;
    route.display = "http://" + (v6 ? "[" + where.host + "]" : where.host) + ":" +
                    std::to_string(where.port);
    route.origin = origin;
    if (view.has_userinfo()) {
        const std::string credentials = view.user() + ":" + view.password();
        route.authorization = "Basic " + base64_encode(std::string_view(credentials));
    }
    out = std::move(route);
    return {};
}

bool bypasses_proxy(std::string_view no_proxy, std::string_view host, std::uint16_t port)
{
    while (!no_proxy.empty()) {
        const auto comma = no_proxy.find(',');
        const std::string_view entry = trim(no_proxy.substr(0, comma));
        no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
        if (entry == "*") return true;
        if (!entry.empty() && entry_matches(entry, host, port)) return true;
    }
    return false;
}

error_code choose_proxy(const proxy_options& settings, const environment& env,
                        const endpoint& target, std::optional<proxy_route>& out, std::string& why)
{
    out.reset();
    std::optional<std::pair<std::string, std::string>> proxy;
    const auto& field = target.tls ? settings.https_proxy : settings.http_proxy;
    if (field) {
        if (field->empty()) return {};
        proxy.emplace(target.tls ? "proxy_options.https_proxy" : "proxy_options.http_proxy",
                      *field);
    } else {
        // The lowercase name first, as curl and Python's urllib (botocore) read them.
        proxy = target.tls ? first_set(env, {"https_proxy", "HTTPS_PROXY"})
                           : first_set(env, {"http_proxy", "HTTP_PROXY"});
    }
    if (!proxy) return {};
    const std::string no_proxy = settings.no_proxy
                                     ? *settings.no_proxy
                                     : first_set(env, {"no_proxy", "NO_PROXY"})
                                           .value_or(std::pair<std::string, std::string>{})
                                           .second;
    if (bypasses_proxy(no_proxy, target.host, target.port)) return {};
    proxy_route route;
    if (auto ec = parse_proxy_url(proxy->second, proxy->first, route, why)) return ec;
    out = std::move(route);
    return {};
}

bool is_proxy_refusal(unsigned status, bool has_request_id) noexcept
{
    if (status == 407) return true;
    return !has_request_id && (status == 403 || status == 502 || status == 503 || status == 504);
}

std::string format_connect_request(const endpoint& target, const proxy_route& proxy)
{
    // The authority form always carries the port, and an IPv6 address in brackets.
    const bool v6 = target.host.find(':') != std::string::npos;
    const std::string authority =
        (v6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
    std::string out = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.authorization.empty())
        out += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    out += "\r\n";
    return out;
}

}  // namespace dynomite::detail
