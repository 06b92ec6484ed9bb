// Writes the canned response bodies of bench/run-e2e into a folder, and prints for each its
// file name, size and CRC32 (the x-amz-crc32 header value) on a line.
#include "canned_bodies.hpp"

#include "transport/crc32.hpp"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::cerr << "usage: write_canned_bodies FOLDER TABLE\n";
        return 2;
    }
    const std::string folder = argv[1];
    const std::vector<std::pair<std::string, std::string>> bodies = {
        {"getitem.json", dynomite::bench::get_item_body()},
        {"query.json", dynomite::bench::page_body(1000)},
        {"scan.json", dynomite::bench::page_body(1000, true)},
        {"putitem.json", "{}"},
        {"describetable.json", dynomite::bench::describe_table_body(argv[2])},
    };
    for (const auto& [name, body] : bodies) {
        std::ofstream file(folder + "/" + name, std::ios::binary);
        file << body;
        if (!file) {
            std::cerr << "write_canned_bodies: cannot write " << folder << "/" << name << '\n';
            return 1;
        }
        std::cout << name << ' ' << body.size() << ' ' << dynomite::detail::crc32(body) << '\n';
    }
    return 0;
}
