#include "auth/process_runner.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace dynomite::detail {

namespace {

using steady = std::chrono::steady_clock;

struct pipe_pair {
    int read_end = -1;
    int write_end = -1;
    bool open()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return false;
        read_end = fds[0];
        write_end = fds[1];
        return true;
    }
    void close_read()
    {
        if (read_end >= 0) ::close(read_end);
        read_end = -1;
    }
    void close_write()
    {
        if (write_end >= 0) ::close(write_end);
        write_end = -1;
    }
    ~pipe_pair()
    {
        close_read();
        close_write();
    }
};

int milliseconds_until(steady::time_point deadline)
{
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

// Reads what is there; false at the end of the stream.
bool drain(int fd, std::string& into, std::size_t keep, bool& overflowed)
{
    char chunk[4096];
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0) return errno == EINTR || errno == EAGAIN;
    if (got == 0) return false;
    const std::size_t room = into.size() < keep ? keep - into.size() : 0;
    into.append(chunk, std::min(room, static_cast<std::size_t>(got)));
    if (static_cast<std::size_t>(got) > room) overflowed = true;
    return true;
}

}  // namespace

process_outcome run_process(const std::string& command, const process_limits& limits)
{
    process_outcome outcome;
    pipe_pair out, err;
    if (!out.open() || !err.open()) {
        outcome.start_failure = std::string("cannot create pipes: ") + std::strerror(errno);
        return outcome;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.write_end, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write_end, STDERR_FILENO);
    posix_spawnattr_init(&attributes);
    // A group of its own, so that a timeout kills the shell's children too.
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, &attributes,
                                      const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        outcome.start_failure = std::string("cannot start /bin/sh: ") + std::strerror(spawned);
        return outcome;
    }
    out.close_write();
    err.close_write();

    const steady::time_point deadline = steady::now() + limits.timeout;
    bool stop = false;
    while (!stop && (out.read_end >= 0 || err.read_end >= 0)) {
        pollfd fds[2] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}};
        const int ready = ::poll(fds, 2, milliseconds_until(deadline));
        if (ready < 0 && errno != EINTR) break;
        if (ready == 0) {
            outcome.timed_out = true;
            break;
        }
        if (fds[0].revents != 0 &&
            !drain(out.read_end, outcome.output, limits.max_output, outcome.output_too_large))
            out.close_read();
        if (outcome.output_too_large) stop = true;
        if (fds[1].revents != 0 &&
            !drain(err.read_end, outcome.error, limits.max_error, outcome.error_truncated))
            err.close_read();
    }

    // Both streams are closed (or we gave up): the command may still run with them closed.
    for (;;) {
        if (outcome.timed_out || outcome.output_too_large) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &outcome.status, 0);
            break;
        }
        const pid_t done = ::waitpid(pid, &outcome.status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) break;
        if (steady::now() >= deadline) {
            outcome.timed_out = true;
            continue;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Children of the command that outlived it are not waited for, but they are stopped.
    if (outcome.timed_out || outcome.output_too_large) ::kill(-pid, SIGKILL);
    return outcome;
}

}  // namespace dynomite::detail
