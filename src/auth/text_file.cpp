#include "auth/text_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fcntl.h>
#include <unistd.h>

namespace dynomite::detail {

error_code read_text_file(const std::string& path, std::string_view what, std::string& out,
                          std::string& why)
{
    constexpr std::streamsize limit = 1024 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in.is_open()) {
        why = "cannot read the " + std::string(what) + " " + path;
        return make_error_code(errc::invalid_configuration);
    }
    std::string text;
    text.resize(static_cast<std::size_t>(limit) + 1);
    in.read(text.data(), limit + 1);
    if (in.bad()) {
        why = "cannot read the " + std::string(what) + " " + path;
        return make_error_code(errc::invalid_configuration);
    }
    if (in.gcount() > limit) {
        why = "the " + std::string(what) + " " + path + " is larger than 1 MiB";
        return make_error_code(errc::invalid_configuration);
    }
    text.resize(static_cast<std::size_t>(in.gcount()));
    out = std::move(text);
    return {};
}

error_code write_text_file_atomically(const std::string& path, std::string_view text,
                                      std::string& why)
{
    std::string temporary = path + ".XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0) {
        why = "cannot create a file beside " + path + ": " + std::strerror(errno);
        return make_error_code(errc::invalid_configuration);
    }
    bool written = true;
    for (std::size_t done = 0; written && done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        written = n > 0;
        if (written) done += static_cast<std::size_t>(n);
    }
    const int saved = errno;
    written = written && ::fsync(fd) == 0;
    if (::close(fd) != 0) written = false;
    if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
        why = "cannot write " + path + ": " + std::strerror(written ? errno : saved);
        ::unlink(temporary.c_str());
        return make_error_code(errc::invalid_configuration);
    }
    return {};
}

std::string trimmed(std::string_view text)
{
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return std::string(text);
}

}  // namespace dynomite::detail
