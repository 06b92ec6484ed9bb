#include "support/test_env.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>

#ifndef DYNOMITE_SOURCE_DIR
#error "DYNOMITE_SOURCE_DIR must be defined as the project's root folder"
#endif

namespace dynomite::test {

namespace {

constexpr std::size_t max_table_name_length = 255;
constexpr std::size_t error_lines_shown = 30;

bool is_unset(const char* name)
{
    const char* value = std::getenv(name);
    return value == nullptr || *value == '\0';
}

void set_if_unset(const char* name, std::string_view value)
{
    if (is_unset(name)) {
        ::setenv(name, std::string(value).c_str(), 1);
    }
}

std::string dynamodb_local_script()
{
    return detail::shell_quote(std::string(DYNOMITE_SOURCE_DIR) + "/scripts/dynamodb-local");
}

std::string last_lines(const std::string& path, std::size_t count)
{
    std::ifstream in(path);
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(std::move(line));
        if (lines.size() > count) {
            lines.pop_front();
        }
    }
    std::string text;
    for (const auto& line : lines) {
        text += line;
        text += '\n';
    }
    return text;
}

// A file for a child's standard error, removed when done.
class scratch_file {
public:
    scratch_file()
    {
        const char* dir = std::getenv("TMPDIR");
        path_ =
            std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/dynomite-test-XXXXXX";
        int fd = ::mkstemp(path_.data());
        if (fd < 0) {
            throw std::runtime_error("cannot create a scratch file " + path_ + ": " +
                                     std::strerror(errno));
        }
        ::close(fd);
    }
    scratch_file(const scratch_file&) = delete;
    scratch_file& operator=(const scratch_file&) = delete;
    ~scratch_file() { ::unlink(path_.c_str()); }

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::string describe_status(int status, int wait_errno)
{
    if (status == -1) {
        return std::string("could not be waited for: ") + std::strerror(wait_errno);
    }
    if (WIFEXITED(status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return "was killed by signal " + std::to_string(WTERMSIG(status));
    }
    return "ended with wait status " + std::to_string(status);
}

bool is_url(std::string_view text)
{
    return text.starts_with("http://") || text.starts_with("https://");
}

// DynamoDB Local started for this process; stopped when the process exits normally. Should the
// process die first, the script's --owner-pid watchdog stops it.
struct local_dynamodb {
    std::string endpoint;

    local_dynamodb() = default;
    local_dynamodb(const local_dynamodb&) = delete;
    local_dynamodb& operator=(const local_dynamodb&) = delete;
    ~local_dynamodb()
    {
        if (!endpoint.empty()) {
            std::string command =
                dynamodb_local_script() + " stop " + detail::shell_quote(endpoint) + " </dev/null";
            if (std::system(command.c_str()) != 0) {
                std::cerr << "test_env: stopping DynamoDB Local at " << endpoint << " failed\n";
            }
        }
    }
};

struct endpoint_state {
    std::string endpoint;
    std::exception_ptr failure;
};

endpoint_state resolve_endpoint()
{
    endpoint_state state;
    ensure_test_credentials();
    if (!is_unset("DYNOMITE_ENDPOINT")) {
        state.endpoint = std::getenv("DYNOMITE_ENDPOINT");
        return state;
    }
    static local_dynamodb instance;
    try {
        instance.endpoint = detail::run_endpoint_command(
            dynamodb_local_script() + " start --verify-sigv4 --owner-pid " +
            std::to_string(::getpid()) + " </dev/null");
    } catch (...) {
        state.failure = std::current_exception();
        return state;
    }
    ::setenv("DYNOMITE_ENDPOINT", instance.endpoint.c_str(), 0);
    std::cerr << "test_env: started DynamoDB Local behind the SigV4-verifying proxy at "
              << instance.endpoint << '\n';
    state.endpoint = instance.endpoint;
    return state;
}

bool is_table_name_character(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

}  // namespace

void ensure_test_credentials()
{
    set_if_unset("AWS_ACCESS_KEY_ID", test_access_key_id);
    set_if_unset("AWS_SECRET_ACCESS_KEY", test_secret_access_key);
    if (is_unset("AWS_DEFAULT_REGION")) {
        set_if_unset("AWS_REGION", test_region);
    }
}

const std::string& integration_endpoint()
{
    // Resolved once; a failed start is not retried by every later test.
    static const endpoint_state state = resolve_endpoint();
    if (state.failure) {
        std::rethrow_exception(state.failure);
    }
    return state.endpoint;
}

std::string unique_table_name(std::string_view prefix)
{
    for (char c : prefix) {
        if (!is_table_name_character(c)) {
            throw std::invalid_argument("table name prefix \"" + std::string(prefix) +
                                        "\" contains '" + std::string(1, c) +
                                        "'; DynamoDB allows only A-Z, a-z, 0-9, '_', '-' and '.'");
        }
    }
    static std::atomic<unsigned long> counter{0};
    char random_hex[9];
    std::snprintf(random_hex, sizeof random_hex, "%08x",
                  static_cast<unsigned>(std::random_device{}()));
    std::string name = std::string(prefix) + '-' + std::to_string(::getpid()) + '-' +
                       std::to_string(++counter) + '-' + random_hex;
    if (name.size() > max_table_name_length) {
        throw std::invalid_argument("table name prefix of " + std::to_string(prefix.size()) +
                                    " characters makes a name longer than DynamoDB's " +
                                    std::to_string(max_table_name_length));
    }
    return name;
}

namespace detail {

std::string shell_quote(std::string_view text)
{
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    quoted += '\'';
    return quoted;
}

std::string run_endpoint_command(const std::string& command)
{
    scratch_file errors;
    std::string wrapped = "{ " + command + "\n} 2>" + shell_quote(errors.path());
    std::FILE* pipe = ::popen(wrapped.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("cannot run `" + command + "`: " + std::strerror(errno));
    }
    std::string output;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
        output.append(buffer, n);
    }
    int status = ::pclose(pipe);
    int wait_errno = errno;

    std::string first_line = output.substr(0, output.find('\n'));
    while (!first_line.empty() && (first_line.back() == '\r' || first_line.back() == ' ')) {
        first_line.pop_back();
    }
    bool succeeded = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (succeeded && is_url(first_line)) {
        return first_line;
    }
    std::string message = "`" + command + "` ";
    if (succeeded) {
        message += "printed no http:// or https:// URL (its first line: \"" + first_line + "\")";
    } else {
        message += describe_status(status, wait_errno);
    }
    std::string error_tail = last_lines(errors.path(), error_lines_shown);
    message += error_tail.empty() ? "; it wrote no error output"
                                  : "; the end of its error output:\n" + error_tail;
    throw std::runtime_error(message);
}

}  // namespace detail

}  // namespace dynomite::test
