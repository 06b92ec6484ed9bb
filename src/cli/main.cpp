// The `dynomite` command: dispatches to the command named on the command line.
#include "cli.hpp"

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    const std::vector<std::string> args(argv + 1, argv + argc);
    return dynomite::cli::run_command_line(args, std::cout, std::cerr);
}
